//! The TSS lifecycle a shop goes through once, and the registration of a till.

use reqwest::Method;
use serde_json::json;

use crate::auth::Secret;
use crate::client::Client;
use crate::error::Error;
use crate::models::{Tss, TssClient, TssState};

/// What [`Client::set_up_tss`] leaves: an INITIALIZED TSS and its PUK, which
/// the owner must keep (the API shows it only once).
#[derive(Debug, Clone)]
pub struct TssSetup {
    pub tss: Tss,
    pub admin_puk: Secret,
}

impl Client {
    /// `PUT /tss/{id}`: creates a TSS (state CREATED, with its PUK). Repeating
    /// it answers the same TSS while it is CREATED.
    pub async fn create_tss(&self, tss_id: &str) -> Result<Tss, Error> {
        let path = format!("tss/{tss_id}");
        self.call(
            Method::PUT,
            &path,
            &[],
            Some(&json!({})),
            self.setup_deadline(),
        )
        .await
    }

    pub async fn get_tss(&self, tss_id: &str) -> Result<Tss, Error> {
        self.read(&format!("tss/{tss_id}"), &[], self.step_deadline())
            .await
    }

    /// `PATCH /tss/{id}` to UNINITIALIZED (deploy), INITIALIZED (admin login
    /// needed) or DISABLED (admin login needed; for good).
    pub async fn set_tss_state(&self, tss_id: &str, state: TssState) -> Result<Tss, Error> {
        let path = format!("tss/{tss_id}");
        self.call(
            Method::PATCH,
            &path,
            &[],
            Some(&json!({ "state": state })),
            self.setup_deadline(),
        )
        .await
    }

    /// `PATCH /tss/{id}/admin`: sets the admin PIN (at least 6 characters) with the PUK.
    pub async fn change_admin_pin(
        &self,
        tss_id: &str,
        admin_puk: &Secret,
        new_admin_pin: &Secret,
    ) -> Result<(), Error> {
        let path = format!("tss/{tss_id}/admin");
        let body =
            json!({"admin_puk": admin_puk.expose(), "new_admin_pin": new_admin_pin.expose()});
        self.call::<serde_json::Value>(
            Method::PATCH,
            &path,
            &[],
            Some(&body),
            self.setup_deadline(),
        )
        .await
        .map(drop)
    }

    /// `POST /tss/{id}/admin/auth`: logs in as the TSS's admin (for this access token).
    pub async fn admin_login(&self, tss_id: &str, admin_pin: &Secret) -> Result<(), Error> {
        let path = format!("tss/{tss_id}/admin/auth");
        let body = json!({"admin_pin": admin_pin.expose()});
        self.call::<serde_json::Value>(Method::POST, &path, &[], Some(&body), self.setup_deadline())
            .await
            .map(drop)
    }

    /// `POST /tss/{id}/admin/logout`; harmless when not logged in.
    pub async fn admin_logout(&self, tss_id: &str) -> Result<(), Error> {
        let path = format!("tss/{tss_id}/admin/logout");
        self.call::<serde_json::Value>(
            Method::POST,
            &path,
            &[],
            Some(&json!({})),
            self.setup_deadline(),
        )
        .await
        .map(drop)
    }

    /// `PUT /tss/{tss}/client/{client}`: registers a till by its serial number
    /// (admin login needed, TSS INITIALIZED). Repeating it answers the same client.
    pub async fn register_client(
        &self,
        tss_id: &str,
        client_id: &str,
        serial_number: &str,
    ) -> Result<TssClient, Error> {
        let path = format!("tss/{tss_id}/client/{client_id}");
        self.call(
            Method::PUT,
            &path,
            &[],
            Some(&json!({ "serial_number": serial_number })),
            self.setup_deadline(),
        )
        .await
    }

    pub async fn get_client(&self, tss_id: &str, client_id: &str) -> Result<TssClient, Error> {
        self.read(
            &format!("tss/{tss_id}/client/{client_id}"),
            &[],
            self.step_deadline(),
        )
        .await
    }

    /// The whole setup of a new TSS: create, deploy, set the admin PIN with
    /// the PUK, log in, initialise, log out. Returns the PUK for the owner.
    pub async fn set_up_tss(&self, tss_id: &str, admin_pin: &Secret) -> Result<TssSetup, Error> {
        let created = self.create_tss(tss_id).await?;
        let admin_puk = created.admin_puk.ok_or_else(|| Error::Decode {
            reason: "the new TSS came without its PUK".into(),
            body: String::new(),
        })?;
        self.set_tss_state(tss_id, TssState::Uninitialized).await?;
        self.change_admin_pin(tss_id, &admin_puk, admin_pin).await?;
        self.admin_login(tss_id, admin_pin).await?;
        let tss = self.set_tss_state(tss_id, TssState::Initialized).await;
        // Log out whatever happened: an open admin session is a risk.
        let logout = self.admin_logout(tss_id).await;
        let tss = tss?;
        logout?;
        Ok(TssSetup { tss, admin_puk })
    }

    /// Registers a till on an INITIALIZED TSS: admin login, register, logout.
    pub async fn register_till(
        &self,
        tss_id: &str,
        admin_pin: &Secret,
        client_id: &str,
        serial_number: &str,
    ) -> Result<TssClient, Error> {
        self.admin_login(tss_id, admin_pin).await?;
        let client = self.register_client(tss_id, client_id, serial_number).await;
        let logout = self.admin_logout(tss_id).await;
        let client = client?;
        logout?;
        Ok(client)
    }
}
