// The dashboard of `drydock serve` in a real browser (Debian's chromium, driven by Playwright).
// crates/drydock/tests/serve_browser.rs starts the server on a project and runs one scenario
// at a time: `node dashboard.mjs SCENARIO`, with
//   DRYDOCK_URL       the server's base URL
//   OPERATOR, OPERATOR_PASSWORD, VIEWER, VIEWER_PASSWORD   who signs in
//   CHROMIUM          the browser's binary
//   SCREENSHOTS       where `screenshots` writes its PNG files
// A scenario prints one JSON line of what it saw (the test checks it) and exits 0, or says what
// failed and exits 1. Every wait is bounded.
import { chromium } from "playwright-core";

const base = required("DRYDOCK_URL");
const WAIT = 30_000;

const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 390, height: 844 };

function required(name) {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set`);
  }
  return value;
}

async function browser() {
  return chromium.launch({
    executablePath: required("CHROMIUM"),
    args: ["--no-sandbox", "--disable-gpu"],
    timeout: WAIT,
  });
}

async function signIn(context, name, password) {
  const page = await context.newPage();
  page.setDefaultTimeout(WAIT);
  await page.goto(`${base}/login`);
  await page.getByLabel(/name/i).fill(name);
  await page.getByLabel(/password/i).fill(password);
  await Promise.all([
    page.waitForURL(`${base}/`),
    page.getByRole("button", { name: /sign in/i }).click(),
  ]);
  return page;
}

function operator(context) {
  return signIn(context, required("OPERATOR"), required("OPERATOR_PASSWORD"));
}

function viewer(context) {
  return signIn(context, required("VIEWER"), required("VIEWER_PASSWORD"));
}

/// A POST from the page's own session without the CSRF token: what the server answers.
async function postWithoutCsrf(page, path) {
  return page.evaluate(async (path) => {
    const reply = await fetch(path, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: "{}",
    });
    return { status: reply.status, body: await reply.json().catch(() => null) };
  }, path);
}

const PAGES = [
  ["login", "/login"],
  ["overview", "/"],
  ["maintenance", "/dashboard/maintenance"],
  ["migrations", "/dashboard/migrations"],
  ["performance", "/dashboard/performance"],
  ["backups", "/dashboard/backups"],
];

const scenarios = {
  /// Every page on a desktop and a phone, as PNG files; each page answered 200 and has no
  /// horizontal scroll on the page itself (tables may scroll inside their box).
  async screenshots(b) {
    const dir = required("SCREENSHOTS");
    const seen = [];
    for (const [device, viewport] of [
      ["desktop", DESKTOP],
      ["phone", PHONE],
    ]) {
      const context = await b.newContext({ viewport, colorScheme: "light" });
      const login = await context.newPage();
      await login.goto(`${base}/login`);
      await login.screenshot({ path: `${dir}/login-${device}.png`, fullPage: true });
      await login.close();
      const page = await operator(context);
      for (const [name, path] of PAGES.slice(1)) {
        const reply = await page.goto(`${base}${path}`);
        const overflow = await page.evaluate(
          () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
        );
        await page.screenshot({ path: `${dir}/${name}-${device}.png`, fullPage: true });
        seen.push({ device, name, status: reply.status(), overflow });
      }
      await context.close();
    }
    return { pages: seen };
  },

  /// A POST made by the signed-in page's own script but without the CSRF token is refused.
  async csrf(b) {
    const context = await b.newContext();
    const page = await operator(context);
    const refused = await postWithoutCsrf(page, "/api/tasks/check");
    await context.close();
    return { refused };
  },
};

const name = process.argv[2];
const scenario = scenarios[name];
if (!scenario) {
  console.error(`no scenario ${name}: one of ${Object.keys(scenarios).join(", ")}`);
  process.exit(2);
}
const b = await browser();
try {
  console.log(JSON.stringify(await scenario(b)));
} catch (error) {
  console.error(`scenario ${name} failed: ${error.stack ?? error}`);
  process.exitCode = 1;
} finally {
  await b.close();
}
