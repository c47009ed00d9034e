//! Money: exact nano-dollars inside (`ccmeter_proto::Nanos`, what every sum adds), and the three ways it
//! leaves: USD as a JSON number for the windows, dollars and cents for people, exact nine-decimal USD for
//! files.

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

#[cfg(test)]
mod tests {
    use super::*;

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
