//! The guided setup of the till's TSE, resumable at every step: the API key
//! and secret, create the TSS, deploy it (UNINITIALIZED), set the admin PIN
//! with the PUK, log in as admin, INITIALIZED, log out, register this till
//! with its serial number.
//!
//! Each run starts by asking the TSE how far its TSS got, so a run that
//! failed half-way (a lost answer, the TSS already created, the app closed)
//! goes on from there. Every request is idempotent: the ids are the till's,
//! saved before they are used.

use std::sync::Mutex;
use std::time::Duration;

use fiskaly::{Secret, TssState};
use serde::Serialize;
use tracing::info;
use ts_rs::TS;

use super::{client, config, credentials, save_config, secret_error, tse_error, FiskalyEnv};
use crate::error::{CommandError, ErrorCode};
use crate::secrets::{SecretKind, SecretStore};
use crate::settings::{Environment, SettingsFile};

/// The shortest admin PIN the TSE takes (`AdminPin`, minLength 6).
const MIN_PIN: usize = 6;
/// Bounds of what may be typed (the API's own limits are far below).
const MAX_FIELD: usize = 200;
/// How long a look at the TSE for the settings screen may take.
const LOOK_TIMEOUT: Duration = Duration::from_secs(5);

/// Where the setup runs: the settings, the secrets, the environment and the TSE.
pub struct SetupContext<'a> {
    pub settings: &'a SettingsFile,
    pub secrets: &'a dyn SecretStore,
    pub environment: Environment,
    /// The till's number (`KASSE-1`), the start of its serial number at the TSE.
    pub till_id: &'a str,
    pub base_url: String,
    /// The deadline of one setup call (30 s in the app; short in tests).
    pub setup_timeout: Duration,
}

/// What the setup holds in memory only: the PUK until the owner noted it,
/// and one run at a time.
#[derive(Default)]
pub struct SetupMemory {
    puk: Mutex<Option<Secret>>,
    pub(crate) running: tokio::sync::Mutex<()>,
}

impl SetupMemory {
    fn puk(&self) -> Option<Secret> {
        self.puk.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    fn keep_puk(&self, puk: Secret) {
        *self.puk.lock().unwrap_or_else(|p| p.into_inner()) = Some(puk);
    }

    /// The owner has noted the PUK: the till forgets it.
    pub fn forget_puk(&self) {
        *self.puk.lock().unwrap_or_else(|p| p.into_inner()) = None;
    }
}

/// Where the guided setup stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(rename_all = "snake_case")]
pub enum TseStep {
    /// The API key and secret are missing.
    Credentials,
    /// The TSS is to be created and deployed.
    Create,
    /// The admin PIN is to be set with the PUK, then the TSS initialised.
    AdminPin,
    /// This till is to be registered with the TSS.
    Register,
    /// The TSE signs this till's sales.
    Done,
}

/// Settings → TSE, as the screen shows it. Never a secret except the PUK,
/// which the owner must see once.
#[derive(Debug, Clone, Serialize, TS)]
pub struct TseView {
    pub environment: Environment,
    /// Demo mode: the built-in TSE signs, nothing to set up.
    pub demo: bool,
    pub fiskaly_env: FiskalyEnv,
    /// The API key and secret are in the secret store (they never leave it).
    pub has_credentials: bool,
    /// The admin PIN is in the secret store.
    pub has_admin_pin: bool,
    pub step: TseStep,
    /// The next step needs the PUK typed (the till no longer holds it).
    pub needs_puk: bool,
    pub tss_id: Option<String>,
    /// This till's serial number at the TSE.
    pub client_serial: Option<String>,
    /// The TSS's state as the TSE reported it just now (`INITIALIZED`, …).
    pub tss_state: Option<String>,
    /// The TSE's serial number.
    pub serial: Option<String>,
    pub bsi_certification_id: Option<String>,
    /// The PUK, shown once: only until the owner confirms to have noted it.
    pub puk: Option<String>,
    /// Sales are signed by this TSE in this run of the till.
    pub signing: bool,
    /// Why the TSE could not be asked just now, in words.
    pub problem: Option<CommandError>,
    pub purchase_date: Option<String>,
    pub start_of_use: Option<String>,
}

fn typed(value: Option<String>, what: &str) -> Result<Option<String>, CommandError> {
    let value = value
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty());
    if value
        .as_ref()
        .is_some_and(|v| v.chars().count() > MAX_FIELD)
    {
        return Err(CommandError::new(
            ErrorCode::InvalidSettings,
            format!("The {what} is too long."),
        ));
    }
    Ok(value)
}

/// The TSE's step as the setup saved it.
fn step_of(config: &super::TseConfig, has_credentials: bool) -> TseStep {
    if !has_credentials {
        TseStep::Credentials
    } else if config.registered {
        TseStep::Done
    } else if config.admin_pin_set {
        TseStep::Register
    } else {
        // Not created, created or deployed: the state at the TSE says which.
        TseStep::Create
    }
}

/// Keeps the API key and secret once the TSE accepted them (an
/// authenticated read of this till's TSS); a wrong key keeps nothing.
pub async fn save_credentials(
    ctx: &SetupContext<'_>,
    api_key: Option<String>,
    api_secret: Option<String>,
    fiskaly_env: FiskalyEnv,
) -> Result<(), CommandError> {
    let (Some(api_key), Some(api_secret)) =
        (typed(api_key, "API key")?, typed(api_secret, "API secret")?)
    else {
        return Err(CommandError::new(
            ErrorCode::InvalidSettings,
            "Enter both the API key and the API secret of the shop's fiskaly account.",
        ));
    };
    let mut config = config(ctx.settings, ctx.environment);
    let credentials = fiskaly::Credentials {
        api_key: api_key.clone(),
        api_secret: Secret::new(api_secret.clone()),
    };
    let tse = client(&ctx.base_url, credentials, LOOK_TIMEOUT, ctx.setup_timeout)?;
    // Any TSS id does: not found means the key was accepted.
    let probe = config
        .tss_id
        .clone()
        .unwrap_or_else(|| uuid::Uuid::nil().to_string());
    match tse.get_tss(&probe).await {
        Ok(_) => {}
        Err(e) if e.api_code() == Some("E_TSS_NOT_FOUND") => {}
        Err(e) => return Err(tse_error(e)),
    }
    let secret = |s: &str| secuconnect::Secret::new(s);
    ctx.secrets
        .set(ctx.environment, SecretKind::TseApiKey, &secret(&api_key))
        .and_then(|()| {
            ctx.secrets.set(
                ctx.environment,
                SecretKind::TseApiSecret,
                &secret(&api_secret),
            )
        })
        .map_err(secret_error)?;
    config.fiskaly_env = Some(fiskaly_env);
    save_config(ctx.settings, ctx.environment, &config)?;
    info!(
        environment = ctx.environment.name(),
        "TSE access data checked and kept"
    );
    Ok(())
}

/// Runs the setup from where it stands to the end. `admin_pin`: the PIN the
/// owner chooses (needed until one is kept); `admin_puk`: the PUK typed
/// again, when the till no longer holds it (a run that stopped after the TSS
/// was deployed, in an earlier start of the till).
pub async fn run(
    ctx: &SetupContext<'_>,
    memory: &SetupMemory,
    admin_pin: Option<String>,
    admin_puk: Option<String>,
) -> Result<fiskaly::Tss, CommandError> {
    let _one_at_a_time = memory.running.lock().await;
    let env = ctx.environment;
    let Some(credentials) = credentials(ctx.secrets, env)? else {
        return Err(CommandError::new(
            ErrorCode::InvalidSettings,
            "Enter the API key and secret of the shop's fiskaly account first.",
        ));
    };
    if let Some(pin) = typed(admin_pin, "admin PIN")? {
        if pin.chars().count() < MIN_PIN {
            return Err(CommandError::new(
                ErrorCode::InvalidSettings,
                format!("The admin PIN needs at least {MIN_PIN} characters."),
            ));
        }
        ctx.secrets
            .set(env, SecretKind::TseAdminPin, &secuconnect::Secret::new(pin))
            .map_err(secret_error)?;
    }
    let typed_puk = typed(admin_puk, "PUK")?.map(Secret::new);
    let pin = ctx
        .secrets
        .get(env, SecretKind::TseAdminPin)
        .map_err(secret_error)?
        .map(|p| Secret::new(p.expose()));
    let tse = client(
        &ctx.base_url,
        credentials,
        super::STEP_TIMEOUT,
        ctx.setup_timeout,
    )?;

    let mut config = config(ctx.settings, env);
    if config.registered {
        return tse
            .get_tss(config.tss_id.as_deref().unwrap_or_default())
            .await
            .map_err(tse_error);
    }
    let Some(pin) = pin else {
        return Err(CommandError::new(
            ErrorCode::InvalidSettings,
            "Choose the TSE's admin PIN (at least 6 characters); the till keeps it in the keychain.",
        ));
    };
    // The ids first, saved: a lost answer is repeated with the same ids.
    if config.tss_id.is_none() || config.client_id.is_none() || config.client_serial.is_none() {
        config.tss_id.get_or_insert_with(new_id);
        config.client_id.get_or_insert_with(new_id);
        config
            .client_serial
            .get_or_insert_with(|| client_serial(ctx.till_id));
        save_config(ctx.settings, env, &config)?;
    }
    let tss_id = config.tss_id.clone().unwrap_or_default();

    let mut state = match tse.get_tss(&tss_id).await {
        Ok(tss) => Some(tss.state),
        Err(e) if e.api_code() == Some("E_TSS_NOT_FOUND") => None,
        Err(e) => return Err(tse_error(e)),
    };
    if matches!(state, None | Some(TssState::Created)) {
        // Repeating the creation while CREATED answers the same TSS and its PUK.
        let created = tse.create_tss(&tss_id).await.map_err(tse_error)?;
        if let Some(puk) = created.admin_puk {
            memory.keep_puk(puk);
        }
        info!(tss_id, "TSE: TSS created");
        state = Some(
            tse.set_tss_state(&tss_id, TssState::Uninitialized)
                .await
                .map_err(tse_error)?
                .state,
        );
        info!(tss_id, "TSE: TSS deployed (UNINITIALIZED)");
    }
    if state == Some(TssState::Uninitialized) {
        if !config.admin_pin_set {
            let Some(puk) = typed_puk.or_else(|| memory.puk()) else {
                return Err(CommandError::new(
                    ErrorCode::TsePukNeeded,
                    "The TSE needs its PUK to set the admin PIN. Type the PUK that was shown when the TSE was created.",
                ));
            };
            tse.change_admin_pin(&tss_id, &puk, &pin)
                .await
                .map_err(tse_error)?;
            config.admin_pin_set = true;
            save_config(ctx.settings, env, &config)?;
            info!(tss_id, "TSE: admin PIN set");
        }
        tse.admin_login(&tss_id, &pin).await.map_err(tse_error)?;
        let initialised = tse.set_tss_state(&tss_id, TssState::Initialized).await;
        // Log out whatever happened: an open admin session is a risk.
        let logout = tse.admin_logout(&tss_id).await;
        state = Some(initialised.map_err(tse_error)?.state);
        logout.map_err(tse_error)?;
        info!(tss_id, "TSE: TSS initialised");
    }
    match state {
        Some(TssState::Initialized) => {}
        Some(TssState::Disabled | TssState::Deleted | TssState::Defective | TssState::Evicted) => {
            return Err(CommandError::new(
                ErrorCode::TseDisabled,
                "This TSE is switched off for good (disabled, deleted or out of service). Set up a new TSE.",
            ))
        }
        _ => {
            return Err(CommandError::new(
                ErrorCode::TseRefused,
                "The TSE is not in the state the setup expects. Try again in a moment.",
            ))
        }
    }
    // A TSS initialised in an earlier run needed the PIN: it is set.
    if !config.admin_pin_set {
        config.admin_pin_set = true;
        save_config(ctx.settings, env, &config)?;
    }
    let client_id = config.client_id.clone().unwrap_or_default();
    let serial = config.client_serial.clone().unwrap_or_default();
    tse.register_till(&tss_id, &pin, &client_id, &serial)
        .await
        .map_err(tse_error)?;
    info!(tss_id, client_serial = %serial, "TSE: this till is registered");
    let tss = tse.get_tss(&tss_id).await.map_err(tse_error)?;
    config.registered = true;
    config.tss_serial = Some(tss.serial_number.clone());
    config.bsi_certification_id = tss.bsi_certification_id.clone();
    save_config(ctx.settings, env, &config)?;
    Ok(tss)
}

/// Settings → TSE: what the till keeps, and with `look`, what the TSE says now.
pub async fn view(
    ctx: &SetupContext<'_>,
    memory: &SetupMemory,
    signing: bool,
    look: bool,
) -> TseView {
    let env = ctx.environment;
    let mut config = config(ctx.settings, env);
    let credentials = credentials(ctx.secrets, env).ok().flatten();
    let mut view = TseView {
        environment: env,
        demo: false,
        fiskaly_env: config.fiskaly_env(env),
        has_credentials: credentials.is_some(),
        has_admin_pin: ctx.secrets.has(env, SecretKind::TseAdminPin),
        step: step_of(&config, credentials.is_some()),
        needs_puk: false,
        tss_id: config.tss_id.clone(),
        client_serial: config.client_serial.clone(),
        tss_state: None,
        serial: config.tss_serial.clone(),
        bsi_certification_id: config.bsi_certification_id.clone(),
        puk: memory.puk().map(|p| p.expose().to_string()),
        signing,
        problem: None,
        purchase_date: config.purchase_date.clone(),
        start_of_use: config.start_of_use.clone(),
    };
    let (true, Some(credentials), Some(tss_id)) = (look, credentials, config.tss_id.clone()) else {
        return view;
    };
    let tse = match client(&ctx.base_url, credentials, LOOK_TIMEOUT, LOOK_TIMEOUT) {
        Ok(tse) => tse,
        Err(e) => {
            view.problem = Some(e);
            return view;
        }
    };
    match tse.get_tss(&tss_id).await {
        Ok(tss) => {
            view.tss_state = serde_json::to_value(tss.state)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string));
            if tss.state == TssState::Uninitialized && !config.admin_pin_set {
                view.step = TseStep::AdminPin;
                view.needs_puk = view.puk.is_none();
            }
            if tss.state == TssState::Initialized && !config.registered {
                view.step = TseStep::Register;
            }
            view.serial = Some(tss.serial_number.clone());
            view.bsi_certification_id = tss.bsi_certification_id.clone();
            // Keep what the TSE said for the data sheet.
            if config.tss_serial.as_deref() != Some(&tss.serial_number)
                || config.bsi_certification_id != tss.bsi_certification_id
            {
                config.tss_serial = Some(tss.serial_number);
                config.bsi_certification_id = tss.bsi_certification_id;
                let _ = save_config(ctx.settings, env, &config);
            }
        }
        // Not created yet: the setup's first step.
        Err(e) if e.api_code() == Some("E_TSS_NOT_FOUND") => {}
        Err(e) => view.problem = Some(tse_error(e)),
    }
    view
}

/// A TSS out of service for good (disabled, deleted, defective, evicted) is
/// left behind: the setup starts again with new ids, the access data and the
/// admin PIN kept. Refused while the TSE reports the TSS usable (or cannot be
/// asked): a working TSE is never dropped by mistake.
pub async fn start_over(ctx: &SetupContext<'_>, memory: &SetupMemory) -> Result<(), CommandError> {
    let _one_at_a_time = memory.running.lock().await;
    let env = ctx.environment;
    let mut config = config(ctx.settings, env);
    let (Some(credentials), Some(tss_id)) = (credentials(ctx.secrets, env)?, config.tss_id.clone())
    else {
        return Ok(());
    };
    let tse = client(&ctx.base_url, credentials, LOOK_TIMEOUT, LOOK_TIMEOUT)?;
    let state = tse.get_tss(&tss_id).await.map_err(tse_error)?.state;
    if !matches!(
        state,
        TssState::Disabled | TssState::Deleted | TssState::Defective | TssState::Evicted
    ) {
        return Err(CommandError::new(
            ErrorCode::InvalidSettings,
            "This TSE is still in service; the till keeps it.",
        ));
    }
    info!(
        tss_id,
        ?state,
        "TSE: out of service; the setup starts again with a new TSS"
    );
    config = super::TseConfig {
        fiskaly_env: config.fiskaly_env,
        ..Default::default()
    };
    memory.forget_puk();
    save_config(ctx.settings, env, &config)
}

/// The owner's dates for the tax office's notice (YYYY-MM-DD, or empty).
pub fn save_dates(
    ctx: &SetupContext<'_>,
    purchase_date: Option<String>,
    start_of_use: Option<String>,
) -> Result<(), CommandError> {
    let date = |d: Option<String>, what: &str| -> Result<Option<String>, CommandError> {
        let Some(d) = typed(d, what)? else {
            return Ok(None);
        };
        chrono::NaiveDate::parse_from_str(&d, "%Y-%m-%d")
            .map(|_| Some(d.clone()))
            .map_err(|_| {
                CommandError::new(
                    ErrorCode::InvalidSettings,
                    format!("The {what} \"{d}\" is not a date (YYYY-MM-DD)."),
                )
            })
    };
    let mut config = config(ctx.settings, ctx.environment);
    config.purchase_date = date(purchase_date, "purchase date")?;
    config.start_of_use = date(start_of_use, "start of use")?;
    save_config(ctx.settings, ctx.environment, &config)
}

fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// This till's serial number at the TSE: its number and a random part, so it
/// is unique among this software's tills (TR-03153 9.3.1); no `/` or `_`
/// (DSFinV-K 2.3), at most 70 characters.
fn client_serial(till_id: &str) -> String {
    let random = uuid::Uuid::new_v4().simple().to_string()[..8].to_uppercase();
    let till: String = till_id
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .take(40)
        .collect();
    format!("{till}-{random}")
}
