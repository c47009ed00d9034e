//! The bearer token that guards receivers listening beyond this machine. Claude Code sends it with
//! `OTEL_EXPORTER_OTLP_HEADERS="Authorization=Bearer <token>"`, on both protocols.

use std::sync::Arc;

use sha2::{Digest, Sha256};

/// A token, kept only as its SHA-256 digest: comparing digests takes the same time whatever the guess,
/// and the token itself is never held in memory longer than parsing the flag.
#[derive(Clone)]
pub struct Token(Arc<[u8; 32]>);

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Token(…)")
    }
}

/// Why a token cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("the token is {0} characters long: use at least 16 (e.g. the output of `openssl rand -hex 16`)")]
    TooShort(usize),
    #[error("the token must be printable ASCII without spaces, to travel in an HTTP header")]
    NotPrintable,
}

impl Token {
    pub fn new(token: &str) -> Result<Token, TokenError> {
        if !token.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(TokenError::NotPrintable);
        }
        if token.len() < 16 {
            return Err(TokenError::TooShort(token.len()));
        }
        Ok(Token(Arc::new(Sha256::digest(token.as_bytes()).into())))
    }

    /// Whether an `Authorization` header value carries this token (`Bearer <token>`, scheme in any case).
    pub fn accepts(&self, authorization: Option<&[u8]>) -> bool {
        let Some(value) = authorization.and_then(|v| std::str::from_utf8(v).ok()) else { return false };
        let Some((scheme, presented)) = value.trim().split_once(' ') else { return false };
        if !scheme.eq_ignore_ascii_case("bearer") {
            return false;
        }
        let digest: [u8; 32] = Sha256::digest(presented.trim().as_bytes()).into();
        digest.iter().zip(self.0.iter()).fold(0u8, |diff, (a, b)| diff | (a ^ b)) == 0
    }
}

/// An optional guard: `None` lets everything in (a loopback receiver without a token).
pub fn allows(token: Option<&Token>, authorization: Option<&[u8]>) -> bool {
    token.is_none_or(|token| token.accepts(authorization))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_exact_bearer_token_is_accepted() {
        let token = Token::new("s3cret-token-0123456789").expect("a token");
        assert!(token.accepts(Some(b"Bearer s3cret-token-0123456789")));
        assert!(token.accepts(Some(b"bearer s3cret-token-0123456789")), "the scheme is case-insensitive");
        assert!(token.accepts(Some(b"  Bearer   s3cret-token-0123456789 ")));
        for wrong in [
            &b"Bearer s3cret-token-012345678"[..],
            b"Bearer S3CRET-TOKEN-0123456789",
            b"Basic s3cret-token-0123456789",
            b"s3cret-token-0123456789",
            b"Bearer",
            b"",
            b"Bearer \xff\xfe",
        ] {
            assert!(!token.accepts(Some(wrong)), "{:?}", String::from_utf8_lossy(wrong));
        }
        assert!(!token.accepts(None));
        assert!(allows(None, None), "no token, no guard");
        assert!(!allows(Some(&token), None));
    }

    #[test]
    fn weak_or_unsendable_tokens_are_refused_with_a_reason() {
        assert_eq!(Token::new("short").map(|_| ()), Err(TokenError::TooShort(5)));
        assert_eq!(Token::new("has a space in it 0123").map(|_| ()), Err(TokenError::NotPrintable));
        assert_eq!(Token::new("ünïcode-token-0123456").map(|_| ()), Err(TokenError::NotPrintable));
        assert!(format!("{:?}", Token::new("s3cret-token-0123456789").expect("token")).contains('…'));
    }
}
