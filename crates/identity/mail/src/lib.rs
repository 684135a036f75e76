//! Outgoing mail for the identity context's [`Mailer`] port.
//!
//! - [`SmtpMailer`]: real delivery over SMTP (lettre), configured by an `smtp://` or `smtps://` URL.
//! - [`FileMailer`]: the development default; writes each message as an RFC 5322 `.eml` file that
//!   any mail client opens, with the link a person would click.

use std::path::PathBuf;

use async_trait::async_trait;
use lettre::message::header::{ContentType, Header, HeaderName, HeaderValue};
use lettre::message::Mailbox;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use stackrush_identity::ports::{Mailer, OutgoingMail};

/// `List-Unsubscribe: <url>` (RFC 2369).
#[derive(Debug, Clone)]
struct ListUnsubscribe(String);

impl Header for ListUnsubscribe {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("List-Unsubscribe")
    }

    fn parse(s: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(Self(
            s.trim()
                .trim_start_matches('<')
                .trim_end_matches('>')
                .to_owned(),
        ))
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), format!("<{}>", self.0))
    }
}

/// `List-Unsubscribe-Post: List-Unsubscribe=One-Click` (RFC 8058): the link works by a POST
/// without further steps.
#[derive(Debug, Clone)]
struct OneClick;

impl Header for OneClick {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("List-Unsubscribe-Post")
    }

    fn parse(_: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(Self)
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), "List-Unsubscribe=One-Click".to_owned())
    }
}

fn build(from: &Mailbox, mail: &OutgoingMail) -> anyhow::Result<Message> {
    let mut builder = Message::builder()
        .from(from.clone())
        .to(mail.to.parse()?)
        .subject(mail.subject.clone())
        .header(ContentType::TEXT_PLAIN);
    if let Some(url) = &mail.unsubscribe {
        builder = builder
            .header(ListUnsubscribe(url.clone()))
            .header(OneClick);
    }
    Ok(builder.body(mail.text.clone())?)
}

/// Delivers over SMTP.
#[derive(Clone)]
pub struct SmtpMailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl std::fmt::Debug for SmtpMailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The URL may hold a password; show only the sender.
        f.debug_struct("SmtpMailer")
            .field("from", &self.from.to_string())
            .finish_non_exhaustive()
    }
}

impl SmtpMailer {
    /// A mailer for `url`: `smtp://user:pass@host:587?tls=required` (STARTTLS), `smtps://…` (TLS),
    /// or plain `smtp://host:25` for a local relay; sending as `from`.
    pub fn new(url: &str, from: &str) -> anyhow::Result<Self> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)?
            .timeout(Some(std::time::Duration::from_secs(10)))
            .build();
        Ok(Self {
            transport,
            from: from.parse()?,
        })
    }
}

#[async_trait]
impl Mailer for SmtpMailer {
    async fn send(&self, mail: &OutgoingMail) -> anyhow::Result<()> {
        self.transport.send(build(&self.from, mail)?).await?;
        Ok(())
    }
}

/// Writes every message as `<dir>/<time>-<id>.eml`.
#[derive(Debug, Clone)]
pub struct FileMailer {
    dir: PathBuf,
    from: Mailbox,
}

impl FileMailer {
    /// A mailer writing into `dir` (created if missing) as `from`.
    pub fn new(dir: impl Into<PathBuf>, from: &str) -> anyhow::Result<Self> {
        Ok(Self {
            dir: dir.into(),
            from: from.parse()?,
        })
    }
}

#[async_trait]
impl Mailer for FileMailer {
    async fn send(&self, mail: &OutgoingMail) -> anyhow::Result<()> {
        let message = build(&self.from, mail)?;
        tokio::fs::create_dir_all(&self.dir).await?;
        let name = format!(
            "{}-{}.eml",
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)?
                .as_millis(),
            uuid::Uuid::new_v4().simple()
        );
        let path = self.dir.join(name);
        tokio::fs::write(&path, message.formatted()).await?;
        tracing::info!(path = %path.display(), "mail written to file");
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn file_mailer_writes_a_readable_eml_with_the_link() {
        let dir = tempfile::tempdir().unwrap();
        let mailer = FileMailer::new(
            dir.path().join("mail"),
            "StackRush <no-reply@stackrush.dev>",
        )
        .unwrap();
        let mail = OutgoingMail {
            to: "ada@example.com".into(),
            subject: "Verify your StackRush email".into(),
            text: "Open http://localhost:5173/verify-email?token=abc123\n".into(),
            unsubscribe: None,
        };
        mailer.send(&mail).await.unwrap();
        let entries: Vec<_> = std::fs::read_dir(dir.path().join("mail"))
            .unwrap()
            .collect();
        assert_eq!(entries.len(), 1);
        let text = std::fs::read_to_string(entries[0].as_ref().unwrap().path()).unwrap();
        assert!(text.contains("To: ada@example.com"));
        assert!(text.contains("Subject: Verify your StackRush email"));
        assert!(text.contains("verify-email?token=abc123"));
        assert!(!text.contains("List-Unsubscribe"));
    }

    #[tokio::test]
    async fn a_mail_with_an_unsubscribe_link_offers_one_click_unsubscribing() {
        let dir = tempfile::tempdir().unwrap();
        let mailer = FileMailer::new(dir.path(), "no-reply@stackrush.dev").unwrap();
        let url = "https://api.example.com/api/auth/unsubscribe?token=abc.def";
        let mail = OutgoingMail {
            to: "ada@example.com".into(),
            subject: "Level 5 reached".into(),
            text: "You are now level 5.\n".into(),
            unsubscribe: Some(url.into()),
        };
        mailer.send(&mail).await.unwrap();
        let entry = std::fs::read_dir(dir.path())
            .unwrap()
            .next()
            .unwrap()
            .unwrap();
        let text = std::fs::read_to_string(entry.path()).unwrap();
        assert!(
            text.contains(&format!("List-Unsubscribe: <{url}>")),
            "{text}"
        );
        assert!(
            text.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"),
            "{text}"
        );
    }

    #[tokio::test]
    async fn bad_recipients_are_errors_not_panics() {
        let dir = tempfile::tempdir().unwrap();
        let mailer = FileMailer::new(dir.path(), "no-reply@stackrush.dev").unwrap();
        let mail = OutgoingMail {
            to: "not an address".into(),
            subject: "x".into(),
            text: "y".into(),
            unsubscribe: None,
        };
        assert!(mailer.send(&mail).await.is_err());
    }

    #[test]
    fn smtp_urls_are_parsed_and_debug_hides_them() {
        let mailer = SmtpMailer::new(
            "smtp://user:secret@127.0.0.1:2525",
            "no-reply@stackrush.dev",
        )
        .unwrap();
        assert!(!format!("{mailer:?}").contains("secret"));
        assert!(SmtpMailer::new("not a url", "no-reply@stackrush.dev").is_err());
    }
}
