//! The live server's product and version, read from how its connection describes it
//! (`MariaDB 10.11.6`, `MySQL 8.0.36`, `PostgreSQL 16.2`).

/// A server's product and version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerVersion {
    /// The product as named (`MariaDB`, `MySQL`, `PostgreSQL`).
    pub product: String,
    /// Major, minor and patch numbers; missing ones are 0.
    pub numbers: (u32, u32, u32),
}

impl ServerVersion {
    /// `None` when the text is not `<product> <major>[.<minor>[.<patch>]]…`.
    pub fn parse(text: &str) -> Option<ServerVersion> {
        let (product, version) = text.trim().rsplit_once(' ')?;
        let mut numbers = version.split('.').map(|part| {
            let end = part
                .find(|c: char| !c.is_ascii_digit())
                .unwrap_or(part.len());
            part[..end].parse::<u32>().ok()
        });
        let major = numbers.next().flatten()?;
        let minor = numbers.next().flatten().unwrap_or(0);
        let patch = numbers.next().flatten().unwrap_or(0);
        Some(ServerVersion {
            product: product.trim().to_owned(),
            numbers: (major, minor, patch),
        })
    }

    /// Whether the product is the one named (any case).
    pub fn is(&self, product: &str) -> bool {
        self.product.eq_ignore_ascii_case(product)
    }

    /// Whether the version is `numbers` or later.
    pub fn at_least(&self, numbers: (u32, u32, u32)) -> bool {
        self.numbers >= numbers
    }
}

impl std::fmt::Display for ServerVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (major, minor, patch) = self.numbers;
        write!(f, "{} {major}.{minor}.{patch}", self.product)
    }
}

#[cfg(test)]
mod tests {
    use super::ServerVersion;

    #[test]
    fn versions_read_from_connection_descriptions() {
        let maria = ServerVersion::parse("MariaDB 10.11.6").expect("a version");
        assert!(maria.is("mariadb") && maria.at_least((10, 6, 0)) && !maria.at_least((11, 0, 0)));
        let mysql = ServerVersion::parse("MySQL 8.0.36").expect("a version");
        assert_eq!(mysql.numbers, (8, 0, 36));
        assert_eq!(
            ServerVersion::parse("PostgreSQL 17beta1").map(|v| v.numbers),
            Some((17, 0, 0))
        );
        assert_eq!(ServerVersion::parse("MySQL"), None);
        assert_eq!(ServerVersion::parse(""), None);
    }
}
