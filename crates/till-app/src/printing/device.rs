//! The printers of the settings: checked as the screen sends them, limited
//! to what the till may reach, and turned into the receipt crate's printers.

use std::net::ToSocketAddrs;

use receipt::printer::{Connection, FlowControl, OsFormat};
use receipt::{CodePage, EscPosSettings};

use super::{blocking, print_error};
use crate::error::{CommandError, ErrorCode};
use crate::settings::{PrinterConfig, PrinterKind, PrinterTransport, Settings};

pub const WIDTHS: [u8; 3] = [32, 42, 48];
pub const CODE_PAGES: [&str; 4] = ["cp858", "cp437", "cp850", "cp1252"];
const BAUD_RATES: [u32; 8] = [2400, 4800, 9600, 19200, 38400, 57600, 115200, 230400];

pub fn receipt_printer_of(settings: &Settings) -> Option<PrinterConfig> {
    let id = settings.receipt_printer_id.as_ref()?;
    settings.printers.iter().find(|p| &p.id == id).cloned()
}

/// The receipt crate's printer for a printer of the settings.
pub fn device(p: &PrinterConfig) -> Result<receipt::PrinterConfig, CommandError> {
    let code_page = CodePage::from_name(&p.code_page).ok_or_else(|| {
        invalid(format!(
            "The code page \"{}\" is not known. Choose one of CP858, CP437, CP850 or Windows-1252.",
            p.code_page
        ))
    })?;
    let connection = match &p.transport {
        PrinterTransport::Serial { port, baud } => Connection::Serial {
            path: port.clone(),
            baud_rate: *baud,
            flow_control: FlowControl::None,
        },
        PrinterTransport::Network { host, port } => Connection::Network {
            host: host.clone(),
            port: *port,
        },
        PrinterTransport::Os { queue } => Connection::Os {
            queue: queue.clone(),
            format: match p.kind {
                PrinterKind::Thermal => OsFormat::EscPos,
                PrinterKind::Office => OsFormat::Pdf,
            },
        },
    };
    Ok(receipt::PrinterConfig {
        name: p.name.clone(),
        connection,
        escpos: EscPosSettings {
            code_page,
            columns: p.width,
            ..EscPosSettings::default()
        },
        // Cheap printers often do not answer DLE EOT; the status bar asks separately.
        check_status: false,
        timeout_ms: 5_000,
    })
}

fn invalid(message: String) -> CommandError {
    CommandError::new(ErrorCode::InvalidSettings, message)
}

/// Trims a printer as the settings screen sends it and checks everything a job needs.
pub fn validated(mut p: PrinterConfig) -> Result<PrinterConfig, CommandError> {
    p.id = p.id.trim().to_string();
    p.name = p.name.trim().to_string();
    p.code_page = p.code_page.trim().to_ascii_lowercase();
    if p.id.is_empty() || p.id.len() > 64 {
        return Err(invalid("The printer has no id; add it again.".into()));
    }
    if p.name.is_empty() || p.name.chars().count() > 40 {
        return Err(invalid(
            "Give the printer a name of 1 to 40 characters, e.g. \"Bondrucker Kasse\".".into(),
        ));
    }
    if !WIDTHS.contains(&p.width) {
        return Err(invalid(format!(
            "A receipt line has 32 (58 mm paper), 42 or 48 (80 mm paper) characters, not {}.",
            p.width
        )));
    }
    if !CODE_PAGES.contains(&p.code_page.as_str()) {
        return Err(invalid(format!(
            "The code page \"{}\" is not known. Choose CP858 (has €), CP437, CP850 or Windows-1252.",
            p.code_page
        )));
    }
    match &mut p.transport {
        PrinterTransport::Serial { port, baud } => {
            *port = port.trim().to_string();
            if !is_serial_port_name(port) {
                return Err(invalid(format!(
                    "\"{port}\" is not a serial port. Pick one from the list (e.g. /dev/ttyUSB0 or COM3)."
                )));
            }
            if !BAUD_RATES.contains(baud) {
                return Err(invalid(format!(
                    "{baud} is not a baud rate a receipt printer uses. Choose 9600, 19200, 38400 or 115200 (see the printer's self-test page)."
                )));
            }
        }
        PrinterTransport::Network { host, port } => {
            *host = host.trim().to_string();
            if !is_host(host) {
                return Err(invalid(format!(
                    "\"{host}\" is not a network address. Enter the printer's IP address (e.g. 192.168.1.50) or host name."
                )));
            }
            if *port == 0 {
                return Err(invalid(
                    "The port must be between 1 and 65535; receipt printers use 9100.".into(),
                ));
            }
        }
        PrinterTransport::Os { queue } => {
            *queue = queue.trim().to_string();
            if queue.is_empty() {
                return Err(invalid(
                    "Choose the printer queue of the operating system.".into(),
                ));
            }
        }
    }
    if p.kind == PrinterKind::Office && !matches!(p.transport, PrinterTransport::Os { .. }) {
        return Err(invalid(
            "An office printer is reached through the operating system: choose \"OS printer\"."
                .into(),
        ));
    }
    if p.kind == PrinterKind::Office && p.drawer {
        return Err(invalid(
            "A cash drawer hangs on a thermal receipt printer, not on an office printer.".into(),
        ));
    }
    Ok(p)
}

/// What the till may connect to, for a printer: an OS queue the OS knows and
/// a serial port this machine has (both picked from the discovered lists),
/// and a network printer in the shop's own network (private, link-local or
/// loopback addresses) unless the owner confirmed another address. So a
/// webview cannot make the till open any device or connect anywhere.
pub fn known_device(printer: &PrinterConfig, confirmed_public: bool) -> Result<(), CommandError> {
    match &printer.transport {
        PrinterTransport::Os { queue } => {
            let queues: Vec<String> = receipt::printer::os_printers()
                .into_iter()
                .map(|p| p.name)
                .collect();
            if queues.iter().any(|q| q == queue) {
                return Ok(());
            }
            Err(invalid(format!(
                "The operating system has no printer \"{queue}\". Set it up there first, then pick it from the list."
            )))
        }
        PrinterTransport::Serial { port, .. } => {
            if receipt::printer::serial_ports()
                .iter()
                .any(|p| p.eq_ignore_ascii_case(port))
            {
                return Ok(());
            }
            Err(invalid(format!(
                "This till has no serial port \"{port}\". Plug the printer in, then pick its port from the list."
            )))
        }
        PrinterTransport::Network { host, port } => {
            let addrs: Vec<std::net::IpAddr> = match (host.as_str(), *port).to_socket_addrs() {
                Ok(a) => a.map(|a| a.ip()).collect(),
                Err(_) => Vec::new(),
            };
            if addrs.is_empty() {
                return Err(invalid(format!(
                    "The address \"{host}\" cannot be found in the network. Check the printer's IP address (its self-test page shows it)."
                )));
            }
            if confirmed_public || addrs.iter().all(|a| is_local_network(*a)) {
                return Ok(());
            }
            Err(CommandError::new(ErrorCode::PrinterAddressPublic,
                format!(
                    "\"{host}\" is not an address in the shop's own network. Receipt printers are in the local network (e.g. 192.168.1.50); confirm only if this printer really is elsewhere."
                ),
            ))
        }
    }
}

/// An address of the shop's own network: private (RFC 1918, IPv6 unique
/// local), link-local or loopback.
fn is_local_network(ip: std::net::IpAddr) -> bool {
    match ip {
        std::net::IpAddr::V4(v4) => v4.is_private() || v4.is_link_local() || v4.is_loopback(),
        std::net::IpAddr::V6(v6) => {
            let first = v6.segments()[0];
            v6.is_loopback() || (first & 0xfe00) == 0xfc00 || (first & 0xffc0) == 0xfe80
        }
    }
}

fn is_serial_port_name(port: &str) -> bool {
    if let Some(n) = port.to_ascii_uppercase().strip_prefix("COM") {
        return !n.is_empty() && n.chars().all(|c| c.is_ascii_digit());
    }
    port.starts_with("/dev/")
        && port.len() > 5
        && !port.contains("..")
        && !port.chars().any(char::is_whitespace)
}

fn is_host(host: &str) -> bool {
    if host.parse::<std::net::IpAddr>().is_ok() {
        return true;
    }
    !host.is_empty()
        && host.len() <= 253
        && host.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
}

/// Prints the test page on `printer` and waits for it.
pub async fn test_print(printer: &PrinterConfig) -> Result<(), CommandError> {
    let device = device(printer)?;
    let page = receipt::test_page::test_page(
        &printer.name,
        device.escpos.code_page,
        printer.width as usize,
    );
    let name = printer.name.clone();
    // The job's title names the printer: OS queues list it, cups-pdf names its file after it.
    let title = format!("Testdruck {name}");
    blocking(move || device.print_layout(&page, &title))
        .await?
        .map_err(|e| print_error(&e, &name))
}
