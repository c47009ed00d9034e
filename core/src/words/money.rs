//! Money: exact nano-dollars inside (`ccmeter_proto::Nanos`, what every sum adds), and the three ways it
//! leaves: USD as a JSON number for the windows, dollars and cents for people, exact nine-decimal USD for
//! files; and prices per million tokens read exactly from text.

use ccmeter_proto::Nanos;

/// USD as a JSON number (the windows' unit; exact to the nano-dollar for any amount below $9 million).
pub fn usd(nanos: i64) -> f64 {
    Nanos(nanos).usd()
}

/// Dollars and cents, rounded half up from exact nano-dollars: `$8.04`.
pub fn money(nanos: i64) -> String {
    let cents = (i128::from(nanos) + 5_000_000).div_euclid(10_000_000);
    let sign = if cents < 0 { "-" } else { "" };
    format!("{sign}${}.{:02}", cents.abs() / 100, cents.abs() % 100)
}

/// Exact USD from nano-dollars, for files whose column must sum to the exact total: `0.210920000`.
pub fn exact_usd(nanos: i64) -> String {
    let sign = if nanos < 0 { "-" } else { "" };
    let abs = nanos.unsigned_abs();
    format!("{sign}{}.{:09}", abs / 1_000_000_000, abs % 1_000_000_000)
}

/// "4" or "0.3125" (USD per million tokens) → pico-dollars per token, exactly; `None` for anything else (a
/// negative price, more than six decimals, not a number).
pub fn pico_per_token(usd_per_million: &str) -> Option<i64> {
    let text = usd_per_million.trim();
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    if whole.is_empty() && fraction.is_empty()
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || !fraction.bytes().all(|b| b.is_ascii_digit())
        || fraction.len() > 6
    {
        return None;
    }
    let whole: i64 = if whole.is_empty() { 0 } else { whole.parse().ok()? };
    let fraction: i64 = format!("{fraction:0<6}").parse().ok()?;
    whole.checked_mul(1_000_000)?.checked_add(fraction)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prices_per_million_tokens_become_whole_pico_dollars_per_token() {
        assert_eq!(pico_per_token("4"), Some(4_000_000));
        assert_eq!(pico_per_token("0.3125"), Some(312_500));
        assert_eq!(pico_per_token("3.75"), Some(3_750_000));
        assert_eq!(pico_per_token(".5"), Some(500_000));
        for bad in ["", ".", "-1", "1e3", "0.0000001", "abc", "1.2.3"] {
            assert_eq!(pico_per_token(bad), None, "{bad}");
        }
    }

    #[test]
    fn money_rounds_to_cents() {
        assert_eq!(money(1_240_000_000), "$1.24");
        assert_eq!(money(7_804_999_999), "$7.80");
        assert_eq!(money(5_000_000), "$0.01");
        assert_eq!(money(0), "$0.00");
        assert_eq!(money(123_456_000_000_000), "$123456.00");
    }

    #[test]
    fn exact_usd_keeps_every_nano_dollar() {
        assert_eq!(exact_usd(210_920_000), "0.210920000");
        assert_eq!(exact_usd(-1), "-0.000000001");
    }
}
