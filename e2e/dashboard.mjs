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
    let runPage = null;
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
      const pages = PAGES.slice(1);
      if (device === "desktop") {
        // A check run from the maintenance page: the overview then shows its findings, and
        // its own page is one more to look at.
        await page.goto(`${base}/dashboard/maintenance`);
        const card = page.locator("section#task-check");
        await card.getByRole("button", { name: "Run" }).click();
        const link = card.locator(".live .state a");
        await link.waitFor();
        await page.waitForFunction(
          (element) => !element.textContent.startsWith("Running"),
          await card.locator(".live .state").elementHandle(),
        );
        runPage = await link.getAttribute("href");
      }
      pages.push(["run", runPage]);
      for (const [name, path] of pages) {
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

  /// An operator runs a cleanup: the dry run first, its live log followed as it comes, then
  /// the apply with the phrase the dry run asks to type; both runs are then in the history.
  async cleanup(b) {
    const context = await b.newContext({ viewport: DESKTOP });
    const page = await operator(context);
    await page.goto(`${base}/dashboard/maintenance`);
    const card = page.locator("section#task-cleanup");
    await card.getByRole("button", { name: "Dry run" }).click();
    const state = card.locator(".live .state");
    const ended = async () =>
      page.waitForFunction(
        (element) => element.textContent !== "" && !element.textContent.startsWith("Running"),
        await state.elementHandle(),
      );
    await ended();
    const dryRun = {
      state: await state.innerText(),
      log: await card.locator(".live pre.log").innerText(),
    };
    const confirm = card.locator(".confirm");
    if (!(await confirm.isVisible())) {
      throw new Error(`no confirmation after the dry run: ${JSON.stringify(dryRun)}`);
    }
    const phrase = await confirm.locator(".phrase").innerText();
    const apply = confirm.getByRole("button", { name: "Apply" });
    const applyDisabledBeforeTyping = await apply.isDisabled();
    await confirm.getByLabel("Confirmation").fill(`${phrase} not quite`);
    const applyDisabledWhenWrong = await apply.isDisabled();
    await confirm.getByLabel("Confirmation").fill(phrase);
    await apply.click();
    await state.filter({ hasText: /^Running/ }).waitFor();
    await ended();
    const applied = {
      state: await state.innerText(),
      log: await card.locator(".live pre.log").innerText(),
    };
    await page.reload();
    const history = await page
      .locator("table tbody tr")
      .filter({ hasText: "cleanup" })
      .allInnerTexts();
    await context.close();
    return {
      dryRun,
      phrase,
      applyDisabledBeforeTyping,
      applyDisabledWhenWrong,
      applied,
      history,
    };
  },

  /// An operator approves the pending set on the migrations page.
  async approve(b) {
    const context = await b.newContext({ viewport: DESKTOP });
    const page = await operator(context);
    await page.goto(`${base}/dashboard/migrations`);
    const button = page.getByRole("button", { name: /^Approve/ });
    const label = await button.innerText();
    await Promise.all([page.waitForLoadState("load"), button.click()]);
    await page.goto(`${base}/dashboard/migrations`);
    const approved = await page.getByText(/^Approved by/).innerText();
    await context.close();
    return { label, approved };
  },

  /// A viewer sees the tasks but cannot run them: every button is disabled, there is no
  /// approve button, and a request sent anyway (with the viewer's own CSRF token) is refused.
  async viewer(b) {
    const context = await b.newContext({ viewport: DESKTOP });
    const page = await viewer(context);
    await page.goto(`${base}/dashboard/maintenance`);
    const buttons = page.locator("section.task button");
    const count = await buttons.count();
    let enabled = 0;
    for (let i = 0; i < count; i++) {
      if (await buttons.nth(i).isEnabled()) {
        enabled += 1;
      }
    }
    const forced = await page.evaluate(async () => {
      const token = document.querySelector("input[name=csrf]").value;
      const reply = await fetch("/api/tasks/check", {
        method: "POST",
        headers: { "X-CSRF-Token": token, Accept: "application/json" },
      });
      return { status: reply.status, body: await reply.json().catch(() => null) };
    });
    await page.goto(`${base}/dashboard/migrations`);
    const approveButtons = await page.getByRole("button", { name: /^Approve/ }).count();
    await context.close();
    return { buttons: count, enabled, forced, approveButtons };
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
