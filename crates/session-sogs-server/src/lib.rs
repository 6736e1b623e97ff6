#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod admin;
mod app;
mod auth;
mod buffer;
pub mod cli;
mod clock;
mod config;
mod db;
mod encoding;
mod error;
mod http;
mod keys;
mod maintenance;
mod model;
mod server;
#[cfg(feature = "testing")]
#[cfg_attr(docsrs, doc(cfg(feature = "testing")))]
pub mod testing;

pub use admin::{ModScope, RoomPermissions, RoomSummary};
pub use config::{
    Config, DbConfig, DmConfig, Durability, FilesConfig, MessagesConfig, NetConfig, RoomsConfig,
    UsersConfig,
};
pub use error::{Error, Result};
pub use server::{RunningServer, Server};
