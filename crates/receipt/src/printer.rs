//! Printers and how bytes reach them: a serial port, a network printer on TCP
//! port 9100, or a queue of the OS spooler (CUPS, the Windows spooler).

use std::io::Write;
use std::net::{Shutdown, TcpStream, ToSocketAddrs};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tracing::{debug, info};

use crate::document::Document;
use crate::error::PrintError;
use crate::escpos::{document_escpos, EscPosSettings};
use crate::layout::Layout;
use crate::status::{self, PrinterStatus};

/// Serial handshake.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum FlowControl {
    #[default]
    None,
    /// XON/XOFF.
    Software,
    /// RTS/CTS: the printer holds the till back while its buffer is full.
    Hardware,
}

/// What an OS printer queue gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum OsFormat {
    /// A thermal printer behind a raw queue: ESC/POS bytes, unfiltered.
    #[default]
    EscPos,
    /// An office printer: a PDF (80 mm receipts, A4 closing reports).
    Pdf,
}

/// How the till reaches a printer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum Connection {
    Serial {
        /// `/dev/ttyUSB0`, `COM3`, …
        path: String,
        baud_rate: u32,
        #[serde(default)]
        flow_control: FlowControl,
    },
    Network {
        host: String,
        #[serde(default = "default_port")]
        port: u16,
    },
    Os {
        /// The queue's name as the OS knows it.
        queue: String,
        #[serde(default)]
        format: OsFormat,
    },
}

fn default_port() -> u16 {
    9100
}

fn default_timeout_ms() -> u64 {
    5_000
}

/// One configured printer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrinterConfig {
    /// The name the cashier knows it by.
    pub name: String,
    pub connection: Connection,
    #[serde(default)]
    pub escpos: EscPosSettings,
    /// Ask the printer for its status (`DLE EOT`) before each job, so that an
    /// empty roll is reported instead of a receipt lost in the buffer. Only for
    /// printers that answer (serial and network thermal printers).
    #[serde(default)]
    pub check_status: bool,
    /// Bounds connecting, each write and each status answer.
    #[serde(default = "default_timeout_ms")]
    pub timeout_ms: u64,
}

/// The bytes of one job and what kind of bytes they are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payload {
    pub bytes: Vec<u8>,
    pub content_type: &'static str,
}

impl PrinterConfig {
    pub fn timeout(&self) -> Duration {
        Duration::from_millis(self.timeout_ms.max(1))
    }

    /// Renders `document` the way this printer takes it.
    pub fn render(&self, document: &Document, open_drawer: bool) -> Result<Payload, PrintError> {
        match &self.connection {
            Connection::Os {
                format: OsFormat::Pdf,
                ..
            } => Ok(Payload {
                bytes: crate::pdf::document_pdf(document, self.escpos.columns as usize)?,
                content_type: "application/pdf",
            }),
            _ => Ok(Payload {
                bytes: document_escpos(document, &self.escpos, open_drawer)?,
                content_type: "application/vnd.cups-raw",
            }),
        }
    }

    /// Renders and sends `document`; blocks until the printer (or the spooler) has it.
    pub fn print(&self, document: &Document, open_drawer: bool) -> Result<(), PrintError> {
        let payload = self.render(document, open_drawer)?;
        self.send(&payload, &document.title())
    }

    /// Sends rendered bytes.
    pub fn send(&self, payload: &Payload, title: &str) -> Result<(), PrintError> {
        let timeout = self.timeout();
        match &self.connection {
            Connection::Serial {
                path,
                baud_rate,
                flow_control,
            } => {
                let mut port = open_serial(path, *baud_rate, *flow_control, timeout)?;
                if self.check_status {
                    status::query(&mut port, timeout)?.ready()?;
                }
                port.write_all(&payload.bytes)
                    .and_then(|_| port.flush())
                    .map_err(|e| PrintError::from_io(path, &e))?;
            }
            Connection::Network { host, port } => {
                let mut stream = connect(host, *port, timeout)?;
                if self.check_status {
                    status::query(&mut stream, timeout)?.ready()?;
                }
                stream
                    .write_all(&payload.bytes)
                    .and_then(|_| stream.flush())
                    .map_err(|e| PrintError::from_io(&format!("{host}:{port}"), &e))?;
                // Closing our side tells the printer the job is complete.
                let _ = stream.shutdown(Shutdown::Write);
            }
            Connection::Os { queue, .. } => {
                let printer = os_printer(queue)?;
                os_ready(&printer)?;
                let properties = [("document-format", spooler_format(payload.content_type))];
                let options = printers::common::base::job::PrinterJobOptions {
                    name: Some(title),
                    raw_properties: &properties,
                    converter: printers::common::converters::Converter::None,
                };
                let job = printer
                    .print(&payload.bytes, options)
                    .map_err(|e| PrintError::Spooler(e.message))?;
                debug!(queue = %queue, job, "job handed to the spooler");
            }
        }
        info!(printer = %self.name, bytes = payload.bytes.len(), "printed");
        Ok(())
    }

    /// Opens the cash drawer on the printer's drawer port, printing nothing.
    pub fn open_drawer(&self) -> Result<(), PrintError> {
        if matches!(
            self.connection,
            Connection::Os {
                format: OsFormat::Pdf,
                ..
            }
        ) {
            return Err(PrintError::Render(
                "an office printer has no cash drawer".into(),
            ));
        }
        // ESC @ (initialise), then the kick.
        let mut bytes = vec![0x1B, b'@'];
        bytes.extend_from_slice(&self.escpos.drawer.bytes());
        self.send(
            &Payload {
                bytes,
                content_type: "application/vnd.cups-raw",
            },
            "Kassenschublade",
        )
    }

    /// Renders and sends a laid-out page that is not a document (the test page).
    pub fn print_layout(&self, layout: &Layout, title: &str) -> Result<(), PrintError> {
        let payload = match &self.connection {
            Connection::Os {
                format: OsFormat::Pdf,
                ..
            } => Payload {
                bytes: crate::pdf::render_pdf(layout, crate::pdf::Paper::ROLL_80, title)?,
                content_type: "application/pdf",
            },
            _ => Payload {
                bytes: crate::escpos::render_escpos(layout, &self.escpos, false)?,
                content_type: "application/vnd.cups-raw",
            },
        };
        self.send(&payload, title)
    }

    /// Whether a job could print now, without printing and quickly enough for a
    /// status bar. A serial port is only looked for (opening it could take it
    /// from a job that is printing); a network printer is connected to and asked
    /// over `DLE EOT`, and one that does not answer counts as ready since it took
    /// the connection; an OS queue is asked for its state.
    pub fn check(&self, timeout: Duration) -> Result<(), PrintError> {
        match &self.connection {
            Connection::Serial { path, .. } => {
                if serial_present(path) {
                    Ok(())
                } else {
                    Err(PrintError::NotFound(path.clone()))
                }
            }
            Connection::Network { host, port } => {
                let mut stream = connect(host, *port, timeout)?;
                let answer = status::query(&mut stream, timeout);
                let _ = stream.shutdown(Shutdown::Both);
                match answer {
                    Ok(status) => status.ready().map_err(|e| match e {
                        PrintError::Offline(_) => PrintError::Offline(format!("{host}:{port}")),
                        other => other,
                    }),
                    Err(PrintError::NoStatus | PrintError::Timeout) => Ok(()),
                    Err(e) => Err(e),
                }
            }
            Connection::Os { queue, .. } => os_ready(&os_printer(queue)?),
        }
    }

    /// Asks the printer how it is: `DLE EOT` for serial and network printers,
    /// the spooler's state for OS queues.
    pub fn status(&self) -> Result<PrinterStatus, PrintError> {
        let timeout = self.timeout();
        match &self.connection {
            Connection::Serial {
                path,
                baud_rate,
                flow_control,
            } => {
                let mut port = open_serial(path, *baud_rate, *flow_control, timeout)?;
                status::query(&mut port, timeout)
            }
            Connection::Network { host, port } => {
                let mut stream = connect(host, *port, timeout)?;
                status::query(&mut stream, timeout)
            }
            Connection::Os { queue, .. } => Ok(os_status(&os_printer(queue)?)),
        }
    }
}

fn open_serial(
    path: &str,
    baud_rate: u32,
    flow_control: FlowControl,
    timeout: Duration,
) -> Result<Box<dyn serialport::SerialPort>, PrintError> {
    let flow = match flow_control {
        FlowControl::None => serialport::FlowControl::None,
        FlowControl::Software => serialport::FlowControl::Software,
        FlowControl::Hardware => serialport::FlowControl::Hardware,
    };
    serialport::new(path, baud_rate)
        .flow_control(flow)
        .timeout(timeout)
        .open()
        .map_err(|e| match e.kind {
            serialport::ErrorKind::NoDevice => PrintError::NotFound(path.to_string()),
            serialport::ErrorKind::Io(kind) => {
                PrintError::from_io(path, &std::io::Error::new(kind, e.description))
            }
            _ => PrintError::Io(e.description),
        })
}

fn connect(host: &str, port: u16, timeout: Duration) -> Result<TcpStream, PrintError> {
    let name = format!("{host}:{port}");
    let addrs = (host, port)
        .to_socket_addrs()
        .map_err(|_| PrintError::NotFound(name.clone()))?;
    let mut last = PrintError::NotFound(name.clone());
    for addr in addrs {
        match TcpStream::connect_timeout(&addr, timeout) {
            Ok(stream) => {
                stream
                    .set_write_timeout(Some(timeout))
                    .and_then(|_| stream.set_read_timeout(Some(timeout)))
                    .map_err(|e| PrintError::from_io(&name, &e))?;
                let _ = stream.set_nodelay(true);
                return Ok(stream);
            }
            Err(e) => last = PrintError::from_io(&name, &e),
        }
    }
    Err(last)
}

/// A queue of the OS spooler, as the settings list it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OsPrinter {
    pub name: String,
    pub system_name: String,
    pub description: String,
    pub uri: String,
    pub is_default: bool,
    pub state: String,
}

/// The printers the OS knows.
pub fn os_printers() -> Vec<OsPrinter> {
    printers::get_printers()
        .into_iter()
        .map(|p| OsPrinter {
            state: format!("{:?}", p.state).to_lowercase(),
            name: p.name,
            system_name: p.system_name,
            description: p.description,
            uri: p.uri,
            is_default: p.is_default,
        })
        .collect()
}

/// Serial ports present on this machine: `/dev/ttyUSB0`… on Linux, `COM3`…
/// on Windows, `/dev/cu.*` on macOS.
pub fn serial_ports() -> Vec<String> {
    let ports: Vec<String> = serialport::available_ports()
        .map(|ports| ports.into_iter().map(|p| p.port_name).collect())
        .unwrap_or_default();
    if cfg!(target_os = "macos") {
        callout_devices(ports)
    } else {
        ports
    }
}

/// macOS lists each port twice: `/dev/cu.*`, the callout device a till
/// writes to, and `/dev/tty.*`, the dial-in device meant for incoming calls.
/// Only the callout devices are offered.
fn callout_devices(ports: Vec<String>) -> Vec<String> {
    ports
        .into_iter()
        .filter(|p| !p.starts_with("/dev/tty."))
        .collect()
}

/// What the spooler is told the job's bytes are. CUPS takes the MIME type (a
/// raw queue passes `application/vnd.cups-raw` through unfiltered). The
/// Windows spooler takes a datatype of its print processor instead (the
/// `printers` crate hands `document-format` to `StartDocPrinterW` as
/// `pDatatype`): `RAW` gives the bytes to the printer unchanged, as ESC/POS
/// needs; a PDF goes as `RAW` too and so prints on office printers that read
/// PDF themselves.
fn spooler_format(content_type: &'static str) -> &'static str {
    if cfg!(windows) {
        "RAW"
    } else {
        content_type
    }
}

/// Whether a serial port is there: its device file on Unix, the port list elsewhere.
fn serial_present(path: &str) -> bool {
    if cfg!(unix) {
        std::path::Path::new(path).exists()
    } else {
        serial_ports().iter().any(|p| p.eq_ignore_ascii_case(path))
    }
}

fn os_printer(queue: &str) -> Result<printers::common::base::printer::Printer, PrintError> {
    printers::get_printer_by_name(queue).ok_or_else(|| PrintError::NotFound(queue.to_string()))
}

fn os_status(printer: &printers::common::base::printer::Printer) -> PrinterStatus {
    use printers::common::base::printer::PrinterState;
    // CUPS names reasons `media-empty-error`; the printers crate names the
    // Windows spooler's status bits `paper_out`, `door_open`: one spelling.
    let has = |needle: &str| {
        printer
            .state_reasons
            .iter()
            .any(|r| r.replace('_', "-").contains(needle))
    };
    PrinterStatus {
        online: !matches!(printer.state, PrinterState::OFFLINE | PrinterState::PAUSED)
            && !has("offline"),
        cover_open: has("cover-open") || has("door-open"),
        paper_out: has("media-empty") || has("media-needed") || has("paper-out"),
        paper_near_end: has("media-low"),
        error: false,
    }
}

fn os_ready(printer: &printers::common::base::printer::Printer) -> Result<(), PrintError> {
    let status = os_status(printer);
    if !status.online {
        return Err(PrintError::Offline(printer.name.clone()));
    }
    status.ready().map_err(|e| match e {
        PrintError::Offline(_) => PrintError::Offline(printer.name.clone()),
        other => other,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use printers::common::base::printer::{Printer, PrinterState};

    fn queue(state: PrinterState, reasons: &[&str]) -> Printer {
        Printer {
            name: "Bon".into(),
            system_name: "Bon".into(),
            driver_name: String::new(),
            uri: String::new(),
            port_name: String::new(),
            processor: String::new(),
            data_type: String::new(),
            description: String::new(),
            location: String::new(),
            is_default: false,
            is_shared: false,
            state,
            state_reasons: reasons.iter().map(|r| r.to_string()).collect(),
        }
    }

    #[test]
    fn spooler_states_of_cups_and_windows_read_the_same() {
        for reasons in [
            ["media-empty-error", "cover-open-report"],
            ["paper_out", "door_open"],
        ] {
            let status = os_status(&queue(PrinterState::READY, &reasons));
            assert!(status.online, "{reasons:?}");
            assert!(status.paper_out, "{reasons:?}");
            assert!(status.cover_open, "{reasons:?}");
        }
        for reasons in [&["offline-report"][..], &["offline"][..]] {
            let printer = queue(PrinterState::UNKNOWN, reasons);
            assert!(!os_status(&printer).online, "{reasons:?}");
            assert_eq!(os_ready(&printer), Err(PrintError::Offline("Bon".into())));
        }
        let idle = queue(PrinterState::READY, &["none"]);
        assert_eq!(os_ready(&idle), Ok(()));
        assert!(!os_status(&queue(PrinterState::PAUSED, &[])).online);
    }

    #[test]
    fn only_the_callout_devices_are_offered_on_macos() {
        let listed = [
            "/dev/cu.usbserial-A1",
            "/dev/tty.usbserial-A1",
            "/dev/cu.Bluetooth",
        ];
        assert_eq!(
            callout_devices(listed.iter().map(|p| p.to_string()).collect()),
            ["/dev/cu.usbserial-A1", "/dev/cu.Bluetooth"]
        );
    }
}
