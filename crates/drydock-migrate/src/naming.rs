//! Names of new migration folders: `<YYYYMMDDHHMMSS>_<slug>` with a UTC timestamp, the slug made
//! the way Prisma's CLI makes it (`@sindresorhus/slugify` 1.x with `_` as separator, then cut to
//! 200 characters), and a timestamp that never sorts before an existing folder.

use chrono::{DateTime, NaiveDateTime, TimeDelta, Utc};

use crate::MigrateError;

/// Longest slug, in characters (Prisma's CLI cuts the slug there).
const MAX_SLUG_CHARS: usize = 200;

/// Longest name, in bytes, that Prisma's engine accepts (P3010 beyond).
const MAX_NAME_BYTES: usize = 200;

const TIMESTAMP_FORMAT: &str = "%Y%m%d%H%M%S";

/// The slug Prisma derives from a user-given migration name: transliterated, camel case split,
/// lowercase, every run of other characters turned into one `_`, no `_` at either end, then cut
/// to 200 characters (which may leave a `_` at the end, as Prisma's does). `"Add User.email"`
/// gives `add_user_email`.
pub fn slugify(name: &str) -> String {
    let mut text = String::with_capacity(name.len());
    for c in name.chars() {
        match transliterate(c) {
            Some(replacement) => text.push_str(replacement),
            None if is_combining_mark(c) => {}
            None => text.push(c),
        }
    }
    let text = decamelize(&text);
    let mut slug = String::with_capacity(text.len());
    let mut pending_separator = false;
    for c in text.chars() {
        let c = c.to_ascii_lowercase();
        if c.is_ascii_lowercase() || c.is_ascii_digit() || is_cjk_letter(c) {
            if pending_separator && !slug.is_empty() {
                slug.push('_');
            }
            pending_separator = false;
            slug.push(c);
        } else {
            pending_separator = true;
        }
    }
    slug.chars().take(MAX_SLUG_CHARS).collect()
}

/// The folder name for a new migration called `name` (slugified here), created at `now`, in a
/// folder whose existing migrations are `existing` (folder names, any order). The timestamp is
/// moved forward when needed so the new folder sorts after every existing one.
pub fn new_migration_folder_name(
    existing: &[String],
    name: &str,
    now: DateTime<Utc>,
) -> Result<String, MigrateError> {
    let slug = slugify(name);
    if slug.len() > MAX_NAME_BYTES {
        return Err(MigrateError::NameTooLong {
            bytes: slug.len(),
            name: slug,
        });
    }
    let mut timestamp = now.naive_utc();
    let Some(last) = existing.iter().max() else {
        return Ok(folder_name(timestamp, &slug));
    };
    if let Some(last_timestamp) = leading_timestamp(last)
        && folder_name(timestamp, "") <= folder_name(last_timestamp, "")
    {
        timestamp = last_timestamp
            .checked_add_signed(TimeDelta::seconds(1))
            .unwrap_or(last_timestamp);
    }
    // Other prefixes (8 or 12 digits, ...) may still sort after the candidate: move forward
    // in growing steps, but never more than about a year.
    let mut candidate = folder_name(timestamp, &slug);
    for exponent in 0..=MAX_BUMP_EXPONENT {
        if candidate.as_str() > last.as_str() {
            return Ok(candidate);
        }
        let Some(later) = timestamp.checked_add_signed(TimeDelta::seconds(1 << exponent)) else {
            break;
        };
        candidate = folder_name(later, &slug);
    }
    Err(MigrateError::CannotOrderNewMigration {
        candidate: folder_name(now.naive_utc(), &slug),
        last: last.clone(),
    })
}

/// How far the timestamp may move to sort last: 2^25 seconds, about 388 days.
const MAX_BUMP_EXPONENT: u32 = 25;

fn folder_name(timestamp: NaiveDateTime, slug: &str) -> String {
    format!("{}_{slug}", timestamp.format(TIMESTAMP_FORMAT))
}

/// The `YYYYMMDDHHMMSS` timestamp a folder name starts with, if it starts with one.
fn leading_timestamp(folder: &str) -> Option<NaiveDateTime> {
    let prefix = folder.get(..14)?;
    if !prefix.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    NaiveDateTime::parse_from_str(prefix, TIMESTAMP_FORMAT).ok()
}

/// `fooBar` -> `foo Bar`, `XMLHttp` -> `XML Http` (the two rules of slugify 1.x).
fn decamelize(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let lower_or_digit = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit();
    // Rule 1: a lowercase letter or digit followed by an uppercase letter.
    let mut first = Vec::with_capacity(chars.len() + 8);
    for (i, &c) in chars.iter().enumerate() {
        if i > 0 && lower_or_digit(chars[i - 1]) && c.is_ascii_uppercase() {
            first.push(' ');
        }
        first.push(c);
    }
    // Rule 2: a run of two or more uppercase letters followed by a lowercase letter or digit
    // splits before the run's last letter.
    let mut out = String::with_capacity(first.len() + 8);
    let mut i = 0;
    while i < first.len() {
        if first[i].is_ascii_uppercase() {
            let start = i;
            while i < first.len() && first[i].is_ascii_uppercase() {
                i += 1;
            }
            let run = &first[start..i];
            if run.len() >= 2 && i < first.len() && lower_or_digit(first[i]) {
                out.extend(&run[..run.len() - 1]);
                out.push(' ');
                out.push(run[run.len() - 1]);
            } else {
                out.extend(run);
            }
        } else {
            out.push(first[i]);
            i += 1;
        }
    }
    out
}

fn is_combining_mark(c: char) -> bool {
    ('\u{300}'..='\u{36f}').contains(&c)
}

/// The CJK letters slugify keeps as they are.
fn is_cjk_letter(c: char) -> bool {
    const RANGES: &[(char, char)] = &[
        ('\u{1100}', '\u{11ff}'),
        ('\u{2e80}', '\u{2e99}'),
        ('\u{2e9b}', '\u{2ef3}'),
        ('\u{2f00}', '\u{2fd5}'),
        ('\u{3005}', '\u{3005}'),
        ('\u{3007}', '\u{3007}'),
        ('\u{3021}', '\u{3029}'),
        ('\u{3038}', '\u{303b}'),
        ('\u{3041}', '\u{3096}'),
        ('\u{309d}', '\u{309f}'),
        ('\u{30a1}', '\u{30fa}'),
        ('\u{30fd}', '\u{30ff}'),
        ('\u{3105}', '\u{312e}'),
        ('\u{3131}', '\u{318e}'),
        ('\u{31a0}', '\u{31ba}'),
        ('\u{31f0}', '\u{321e}'),
        ('\u{3260}', '\u{327e}'),
        ('\u{32d0}', '\u{32fe}'),
        ('\u{3300}', '\u{3357}'),
        ('\u{3400}', '\u{4db5}'),
        ('\u{4e00}', '\u{9fea}'),
        ('\u{a960}', '\u{a97c}'),
        ('\u{ac00}', '\u{d7a3}'),
        ('\u{d7b0}', '\u{d7c6}'),
        ('\u{d7cb}', '\u{d7fb}'),
        ('\u{f900}', '\u{fa6d}'),
        ('\u{fa70}', '\u{fad9}'),
        ('\u{ff66}', '\u{ff6f}'),
        ('\u{ff71}', '\u{ff9d}'),
        ('\u{ffa0}', '\u{ffbe}'),
        ('\u{ffc2}', '\u{ffc7}'),
        ('\u{ffca}', '\u{ffcf}'),
        ('\u{ffd2}', '\u{ffd7}'),
        ('\u{ffda}', '\u{ffdc}'),
    ];
    RANGES.iter().any(|(low, high)| (*low..=*high).contains(&c))
}

/// Slugify's replacements (applied first, so they win) and lodash's `deburr` letters.
fn transliterate(c: char) -> Option<&'static str> {
    const SINGLE: &[(char, &str)] = &[
        ('&', " and "),
        ('\u{1f984}', " unicorn "),
        ('\u{2665}', " love "),
        ('ß', "ss"),
        ('ä', "ae"),
        ('Ä', "Ae"),
        ('ö', "oe"),
        ('Ö', "Oe"),
        ('ü', "ue"),
        ('Ü', "Ue"),
        ('ș', "s"),
        ('Ș', "s"),
        ('ț', "t"),
        ('Ț', "t"),
        ('ş', "s"),
        ('Ş', "s"),
        ('ç', "c"),
        ('Ç', "c"),
        ('ğ', "g"),
        ('Ğ', "g"),
        ('ı', "i"),
        ('İ', "i"),
        ('Æ', "Ae"),
        ('æ', "ae"),
        ('Þ', "Th"),
        ('þ', "th"),
        ('Ĳ', "IJ"),
        ('ĳ', "ij"),
        ('Œ', "Oe"),
        ('œ', "oe"),
        ('ŉ', "'n"),
    ];
    const GROUPS: &[(&str, &str)] = &[
        ("ÀÁÂÃÅĀĂĄ", "A"),
        ("àáâãåāăą", "a"),
        ("ĆĈĊČ", "C"),
        ("ćĉċč", "c"),
        ("ÐĎĐ", "D"),
        ("ðďđ", "d"),
        ("ÈÉÊËĒĔĖĘĚ", "E"),
        ("èéêëēĕėęě", "e"),
        ("ĜĠĢ", "G"),
        ("ĝġģ", "g"),
        ("ĤĦ", "H"),
        ("ĥħ", "h"),
        ("ÌÍÎÏĨĪĬĮ", "I"),
        ("ìíîïĩīĭį", "i"),
        ("Ĵ", "J"),
        ("ĵ", "j"),
        ("Ķ", "K"),
        ("ķĸ", "k"),
        ("ĹĻĽĿŁ", "L"),
        ("ĺļľŀł", "l"),
        ("ÑŃŅŇŊ", "N"),
        ("ñńņňŋ", "n"),
        ("ÒÓÔÕØŌŎŐ", "O"),
        ("òóôõøōŏő", "o"),
        ("ŔŖŘ", "R"),
        ("ŕŗř", "r"),
        ("ŚŜŠ", "S"),
        ("śŝšſ", "s"),
        ("ŢŤŦ", "T"),
        ("ţťŧ", "t"),
        ("ÙÚÛŨŪŬŮŰŲ", "U"),
        ("ùúûũūŭůűų", "u"),
        ("Ŵ", "W"),
        ("ŵ", "w"),
        ("ÝŶŸ", "Y"),
        ("ýÿŷ", "y"),
        ("ŹŻŽ", "Z"),
        ("źżž", "z"),
        ("×", " "),
        ("÷", " "),
        // Russian.
        ("А", "A"),
        ("а", "a"),
        ("Б", "B"),
        ("б", "b"),
        ("В", "V"),
        ("в", "v"),
        ("Г", "G"),
        ("г", "g"),
        ("Д", "D"),
        ("д", "d"),
        ("ЕЭ", "E"),
        ("еэ", "e"),
        ("Ж", "Zh"),
        ("ж", "zh"),
        ("З", "Z"),
        ("з", "z"),
        ("И", "I"),
        ("и", "i"),
        ("Й", "J"),
        ("й", "j"),
        ("К", "K"),
        ("к", "k"),
        ("Л", "L"),
        ("л", "l"),
        ("М", "M"),
        ("м", "m"),
        ("Н", "N"),
        ("н", "n"),
        ("О", "O"),
        ("о", "o"),
        ("П", "P"),
        ("п", "p"),
        ("Р", "R"),
        ("р", "r"),
        ("С", "S"),
        ("с", "s"),
        ("Т", "T"),
        ("т", "t"),
        ("У", "U"),
        ("у", "u"),
        ("Ф", "F"),
        ("ф", "f"),
        ("Х", "H"),
        ("х", "h"),
        ("Ц", "Cz"),
        ("ц", "cz"),
        ("Ч", "Ch"),
        ("ч", "ch"),
        ("Ш", "Sh"),
        ("ш", "sh"),
        ("Щ", "Shh"),
        ("щ", "shh"),
        ("ЪъЬь", ""),
        ("Ы", "Y"),
        ("ы", "y"),
        ("Ю", "Yu"),
        ("ю", "yu"),
        ("Я", "Ya"),
        ("я", "ya"),
        ("Ё", "Yo"),
        ("ё", "yo"),
    ];
    if c.is_ascii() && c != '&' {
        return None;
    }
    SINGLE
        .iter()
        .find(|(from, _)| *from == c)
        .map(|(_, to)| *to)
        .or_else(|| {
            GROUPS
                .iter()
                .find(|(from, _)| from.contains(c))
                .map(|(_, to)| *to)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_follow_prisma() {
        let cases = [
            ("init", "init"),
            ("Add User.email", "add_user_email"),
            ("  Déjà Vu!  ", "deja_vu"),
            ("fooBar 123 $#%", "foo_bar_123"),
            ("XMLHttpRequest", "xml_http_request"),
            ("addColumnToUSERS", "add_column_to_users"),
            ("already_snake__case", "already_snake_case"),
            ("Über straße", "ueber_strasse"),
            ("I ♥ Dogs & cats", "i_love_dogs_and_cats"),
            ("я люблю", "ya_lyublyu"),
            ("add 用户 table", "add_用户_table"),
            ("!!!", ""),
            ("", ""),
            ("v2Migration", "v2_migration"),
        ];
        for (input, expected) in cases {
            assert_eq!(slugify(input), expected, "input: {input:?}");
        }
    }

    #[test]
    fn slugs_are_cut_to_200_characters() {
        let long = "a".repeat(250);
        assert_eq!(slugify(&long).len(), 200);
    }

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_default()
    }

    #[test]
    fn folder_names_are_utc_timestamp_and_slug() {
        let now = at("2024-03-05T07:08:09+02:00");
        let name = new_migration_folder_name(&[], "Add posts", now).ok();
        assert_eq!(name.as_deref(), Some("20240305050809_add_posts"));
        let empty = new_migration_folder_name(&[], "", now).ok();
        assert_eq!(empty.as_deref(), Some("20240305050809_"));
    }

    #[test]
    fn folder_names_sort_after_existing_ones() {
        let now = at("2024-03-05T05:08:09Z");
        let same_second = vec!["20240305050809_zzz".to_owned()];
        let name = new_migration_folder_name(&same_second, "aaa", now).ok();
        assert_eq!(name.as_deref(), Some("20240305050810_aaa"));

        let from_the_future = vec!["0_init".to_owned(), "20300101000000_later".to_owned()];
        let name = new_migration_folder_name(&from_the_future, "x", now).ok();
        assert_eq!(name.as_deref(), Some("20300101000001_x"));

        let seventeen_digits = vec!["20240305050809123_x".to_owned()];
        let name = new_migration_folder_name(&seventeen_digits, "y", now).ok();
        assert_eq!(name.as_deref(), Some("20240305050810_y"));

        let earlier_eight_digits = vec!["20240304_baseline".to_owned()];
        let name = new_migration_folder_name(&earlier_eight_digits, "y", now).ok();
        assert_eq!(name.as_deref(), Some("20240305050809_y"));

        // `_` sorts after digits, so this day's 8-digit folder needs a later day.
        let same_day_eight_digits = vec!["20240305_baseline".to_owned()];
        let name = new_migration_folder_name(&same_day_eight_digits, "y", now).ok();
        assert!(name.as_deref() > Some("20240305_baseline"), "{name:?}");
        assert!(name.as_deref() < Some("20240307"), "{name:?}");
    }

    #[test]
    fn folder_names_that_cannot_sort_last_are_an_error() {
        let now = at("2024-03-05T05:08:09Z");
        let existing = vec!["9_last".to_owned()];
        let error = new_migration_folder_name(&existing, "x", now).err();
        assert_eq!(error.map(|e| e.code()), Some("D3004"));
    }

    #[test]
    fn names_over_200_bytes_are_p3010() {
        let now = at("2024-03-05T05:08:09Z");
        let wide = "用".repeat(100);
        let error = new_migration_folder_name(&[], &wide, now).err();
        assert_eq!(error.map(|e| e.code()), Some("P3010"));
    }
}
