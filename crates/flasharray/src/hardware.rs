//! What an array is built of, and how each part is.

use shared::flasharray::{Controller, Drive, Hardware, Port};

use crate::client::ArrayClient;
use crate::error::Error;

impl ArrayClient {
    /// `GET /controllers`.
    pub async fn controllers(&self) -> Result<Vec<Controller>, Error> {
        self.read("controllers", &[]).await
    }

    /// `GET /drives`: modules and empty bays.
    pub async fn drives(&self) -> Result<Vec<Drive>, Error> {
        self.read("drives", &[]).await
    }

    /// `GET /hardware`: every component with its status.
    pub async fn hardware(&self) -> Result<Vec<Hardware>, Error> {
        self.read("hardware", &[]).await
    }

    /// Controllers, modules and every component, asked at once: what health is judged from.
    pub async fn parts(&self) -> Result<(Vec<Controller>, Vec<Drive>, Vec<Hardware>), Error> {
        tokio::try_join!(self.controllers(), self.drives(), self.hardware())
    }

    /// `GET /ports`: the target ports hosts log in to.
    pub async fn ports(&self) -> Result<Vec<Port>, Error> {
        self.read("ports", &[]).await
    }
}
