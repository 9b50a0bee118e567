//! Settings → TSE: the API key and secret, the guided setup, the TSE's state
//! and serial number, and the data sheet for the tax office.

use tracing::{info, instrument};

use crate::error::{CommandError, ErrorCode};
use crate::printing::Pdf;
use crate::state::AppState;
use crate::tse::datasheet::{data_sheet, first_signed_sale, DataSheetFacts};
use crate::tse::setup::{self, SetupContext, TseStep, TseView};
use crate::tse::{self, FiskalyEnv, SETUP_TIMEOUT};

fn context(state: &AppState) -> SetupContext<'_> {
    SetupContext {
        settings: &state.settings,
        secrets: state.secrets.as_ref(),
        environment: state.environment,
        till_id: &state.till_id,
        base_url: tse::base_url(),
        setup_timeout: SETUP_TIMEOUT,
    }
}

fn demo_refused() -> CommandError {
    CommandError::new(
        ErrorCode::InvalidSettings,
        "The demo signs with its built-in TSE; it needs no setup. Choose testing or live under Connection to set up a TSE.",
    )
}

/// Demo mode: the built-in TSE, as its simulator reports it.
async fn demo_view(state: &AppState) -> TseView {
    let mut view = TseView {
        environment: state.environment,
        demo: true,
        fiskaly_env: FiskalyEnv::Test,
        has_credentials: true,
        has_admin_pin: true,
        step: TseStep::Done,
        needs_puk: false,
        tss_id: None,
        client_serial: Some(fiskaly_sandbox::DEMO_CLIENT_SERIAL.to_string()),
        tss_state: None,
        serial: None,
        bsi_certification_id: None,
        puk: None,
        signing: state.tse().is_some(),
        problem: None,
        purchase_date: None,
        start_of_use: None,
    };
    if let Some(signer) = state.tse() {
        view.tss_id = Some(signer.tss_id().to_string());
        match signer.client().get_tss(signer.tss_id()).await {
            Ok(tss) => {
                view.tss_state = serde_json::to_value(tss.state)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string));
                view.serial = Some(tss.serial_number);
                view.bsi_certification_id = tss.bsi_certification_id;
            }
            Err(e) => view.problem = Some(tse::tse_error(e)),
        }
    }
    view
}

/// What Settings → TSE shows, with a look at the TSE.
#[instrument(skip_all)]
pub async fn tse_status(state: &AppState) -> Result<TseView, CommandError> {
    if state.demo {
        return Ok(demo_view(state).await);
    }
    Ok(setup::view(
        &context(state),
        &state.tse_setup,
        state.tse().is_some(),
        true,
    )
    .await)
}

/// The TSE's settings are the settings' (a manager's): the one logged in.
fn manager_only(state: &AppState) -> Result<(), CommandError> {
    crate::cashier::may_change_settings(state, None)?;
    Ok(())
}

/// Keeps the fiskaly API key and secret once the TSE accepted them.
#[instrument(skip_all)]
pub async fn tse_save_credentials(
    state: &AppState,
    api_key: Option<String>,
    api_secret: Option<String>,
    fiskaly_env: FiskalyEnv,
) -> Result<TseView, CommandError> {
    if state.demo {
        return Err(demo_refused());
    }
    manager_only(state)?;
    setup::save_credentials(&context(state), api_key, api_secret, fiskaly_env).await?;
    tse_status(state).await
}

/// Runs the guided setup from where it stands; when it completes, this till
/// signs its sales with the TSE from the next sale on.
#[instrument(skip_all)]
pub async fn tse_setup_run(
    state: &AppState,
    admin_pin: Option<String>,
    admin_puk: Option<String>,
) -> Result<TseView, CommandError> {
    if state.demo {
        return Err(demo_refused());
    }
    manager_only(state)?;
    let ctx = context(state);
    setup::run(&ctx, &state.tse_setup, admin_pin, admin_puk).await?;
    if state.tse().is_none() {
        if let Some(signer) =
            tse::signing_tse(ctx.settings, ctx.secrets, ctx.environment, &ctx.base_url)
        {
            // Set once: a TSE already signing stays until the next start.
            let _ = state.tse.set(signer);
            info!("the TSE signs from the next sale on");
        }
    }
    tse_status(state).await
}

/// Leaves a TSS that is out of service for good behind; the setup starts again.
#[instrument(skip_all)]
pub async fn tse_start_over(state: &AppState) -> Result<TseView, CommandError> {
    if state.demo {
        return Err(demo_refused());
    }
    manager_only(state)?;
    setup::start_over(&context(state), &state.tse_setup).await?;
    tse_status(state).await
}

/// The owner has noted the PUK: the till forgets it.
pub async fn tse_puk_noted(state: &AppState) -> Result<TseView, CommandError> {
    state.tse_setup.forget_puk();
    tse_status(state).await
}

/// The purchase and start-of-use dates for the data sheet (YYYY-MM-DD or empty).
pub async fn tse_save_dates(
    state: &AppState,
    purchase_date: Option<String>,
    start_of_use: Option<String>,
) -> Result<TseView, CommandError> {
    if state.demo {
        return Err(demo_refused());
    }
    manager_only(state)?;
    setup::save_dates(&context(state), purchase_date, start_of_use)?;
    tse_status(state).await
}

/// The data sheet for the tax office's notice, from the settings, the TSE and the journal.
pub async fn data_sheet_document(state: &AppState) -> Result<receipt::Document, CommandError> {
    let view = tse_status(state).await?;
    if view.serial.is_none() {
        return Err(CommandError::new(
            ErrorCode::TseNotSetUp,
            "No TSE is set up for this till yet: finish the TSE setup first, then print the data sheet.",
        ));
    }
    let shop = state.settings.load(&state.log_dir).shop;
    let (start_of_use, start_from_journal) = match view.start_of_use.clone() {
        Some(d) => (Some(d), false),
        None => {
            let first = first_signed_sale(&state.journal(), view.serial.as_deref())?;
            let found = first.is_some();
            (first, found)
        }
    };
    let facts = DataSheetFacts {
        shop: state.shop(),
        tax_number: shop.tax_number.clone(),
        vat_id: shop.vat_id.clone(),
        software_version: crate::VERSION.to_string(),
        till_id: state.till_id.clone(),
        client_serial: view.client_serial,
        tse_serial: view.serial,
        bsi_certification_id: view.bsi_certification_id,
        fiskaly_env: view.fiskaly_env,
        purchase_date: view.purchase_date,
        start_of_use,
        start_from_journal,
        demo: state.demo,
        issued_at: chrono::Local::now().format("%d.%m.%Y %H:%M").to_string(),
    };
    Ok(receipt::Document::InfoSheet(data_sheet(&facts)))
}

/// Prints the data sheet on the receipt printer.
#[instrument(skip_all)]
pub async fn print_data_sheet(state: &AppState) -> Result<(), CommandError> {
    let document = data_sheet_document(state).await?;
    state.printing.print(document).await
}

/// The data sheet as an 80 mm PDF, to be saved where the owner says.
#[instrument(skip_all)]
pub async fn data_sheet_pdf(state: &AppState) -> Result<Pdf, CommandError> {
    let document = data_sheet_document(state).await?;
    let bytes = crate::commands::print::pdf_of(document, state.printing.columns()).await?;
    Ok(Pdf {
        bytes,
        file_name: format!("TSE-Datenblatt-{}.pdf", state.till_id),
    })
}
