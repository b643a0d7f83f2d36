//! A human summary of a diff, as `migrate diff` prints without `--script`.

use drydock_diff::{Change, TableChange};

/// One line per change, grouped by kind, e.g. `[+] Added tables` then `  - Post`.
pub fn summarize(changes: &[Change]) -> String {
    if changes.is_empty() {
        return "No difference detected.\n".to_owned();
    }
    let mut out = String::new();
    let mut last_heading = "";
    let mut push = |heading: &'static str, line: String| {
        if heading != last_heading {
            if !last_heading.is_empty() {
                out.push('\n');
            }
            out.push_str(heading);
            out.push('\n');
            last_heading = heading;
        }
        out.push_str(&line);
        out.push('\n');
    };
    for change in changes {
        match change {
            Change::CreateSchema { namespace } => {
                push("[+] Added schemas", format!("  - {namespace}"))
            }
            Change::RenameTable { from, to, .. } => push(
                "[*] Renamed tables",
                format!("  - `{}` to `{}`", from.name, to.name),
            ),
            Change::CreateExtension { extension } => {
                push("[+] Added extensions", format!("  - {}", extension.name))
            }
            Change::AlterExtension { name, .. } => {
                push("[*] Changed extensions", format!("  - {name}"))
            }
            Change::DropExtension {
                extension,
                recreated,
            } => push(
                "[-] Removed extensions",
                if *recreated {
                    format!("  - {} (created again)", extension.name)
                } else {
                    format!("  - {}", extension.name)
                },
            ),
            Change::CreateEnum { enum_type } => {
                push("[+] Added enums", format!("  - {}", enum_type.name))
            }
            Change::AlterEnum(alter) => {
                for value in &alter.added {
                    push(
                        "[*] Changed enums",
                        format!("  - `{}`: added value `{value}`", alter.name.name),
                    );
                }
                for value in &alter.removed {
                    push(
                        "[*] Changed enums",
                        format!("  - `{}`: removed value `{value}`", alter.name.name),
                    );
                }
            }
            Change::DropEnum { enum_type } => {
                push("[-] Removed enums", format!("  - {}", enum_type.name))
            }
            Change::CreateTable { table } => {
                push("[+] Added tables", format!("  - {}", table.name))
            }
            Change::DropTable { table } => {
                push("[-] Removed tables", format!("  - {}", table.name))
            }
            Change::AlterTable { table, changes } => {
                for table_change in changes {
                    push(
                        "[*] Changed tables",
                        format!("  - `{}`: {}", table.name, describe(table_change)),
                    );
                }
            }
            Change::RedefineTables { tables } => {
                for table in tables {
                    push("[*] Redefined tables", format!("  - {}", table.next.name));
                }
            }
            Change::CreateIndex { table, index } => {
                push(
                    "[+] Added indexes",
                    format!("  - `{}` on `{}`", index.name, table.name),
                );
            }
            Change::DropIndex { table, index } => {
                push(
                    "[-] Removed indexes",
                    format!("  - `{}` on `{}`", index.name, table.name),
                );
            }
            Change::RenameIndex { table, from, to } => {
                push(
                    "[*] Renamed indexes",
                    format!("  - `{from}` to `{to}` on `{}`", table.name),
                );
            }
            Change::CreatePartition {
                table, partition, ..
            } => push(
                "[+] Added partitions",
                format!("  - `{}` of `{}`", partition.name, table.name),
            ),
            Change::DropPartition {
                table, partition, ..
            } => push(
                "[-] Removed partitions",
                format!("  - `{}` of `{}`", partition.name, table.name),
            ),
            Change::AlterPartitionChecks { table, .. } => push(
                "[*] Changed partitions",
                format!("  - checks of `{}`", table.name),
            ),
            Change::RedefineIndex { table, from, to } => push(
                "[*] Renamed indexes",
                format!("  - `{}` to `{}` on `{}`", from.name, to.name, table.name),
            ),
            Change::AddForeignKey { table, foreign_key } => push(
                "[+] Added foreign keys",
                format!("  - `{}` ({})", table.name, foreign_key.columns.join(", ")),
            ),
            Change::DropForeignKey { table, foreign_key } => push(
                "[-] Removed foreign keys",
                format!("  - `{}` ({})", table.name, foreign_key.columns.join(", ")),
            ),
            Change::RenameForeignKey { table, from, to } => push(
                "[*] Renamed foreign keys",
                format!("  - `{from}` to `{to}` on `{}`", table.name),
            ),
        }
    }
    out
}

fn describe(change: &TableChange) -> String {
    match change {
        TableChange::RenameColumn { from, to, .. } => format!("renamed column `{from}` to `{to}`"),
        TableChange::DropPrimaryKey { .. } => "dropped the primary key".to_owned(),
        TableChange::RenamePrimaryKey { from, to } => {
            format!("renamed primary key `{from}` to `{to}`")
        }
        TableChange::DropColumn { column } => format!("dropped column `{}`", column.name),
        TableChange::AddColumn { column } => format!("added column `{}`", column.name),
        TableChange::AlterColumn(change) => format!("altered column `{}`", change.to.name),
        TableChange::DropAndRecreateColumn { to, .. } => {
            format!("dropped and recreated column `{}`", to.name)
        }
        TableChange::AddPrimaryKey { .. } => "added a primary key".to_owned(),
        TableChange::Inherit { parent, .. } => format!("inherits from `{}`", parent.name),
        TableChange::NoInherit { parent, .. } => {
            format!("no longer inherits from `{}`", parent.name)
        }
    }
}
