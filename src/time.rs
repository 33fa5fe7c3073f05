//! Wall-clock formatting and parsing without a date crate: RFC 3339 (UTC out; `Z` or an offset in)
//! and the IMF-fixdate of HTTP `Retry-After`. Civil-date arithmetic after Howard Hinnant's algorithms.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(month <= 2), month, day)
}

fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Seconds since the epoch as a SystemTime (negative clamps to the epoch).
fn from_secs(secs: i64, nanos: u32) -> SystemTime {
    UNIX_EPOCH + Duration::new(secs.max(0) as u64, nanos)
}

/// RFC 3339 UTC timestamp with seconds, e.g. `2026-11-28T19:30:02Z`.
pub fn rfc3339_utc(t: SystemTime) -> String {
    let secs = t.duration_since(UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0);
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z", rem / 3600, rem % 3600 / 60, rem % 60)
}

fn num<T: std::str::FromStr>(s: &str) -> Option<T> {
    s.parse().ok()
}

/// Parses RFC 3339 (`2026-11-28T19:30:02Z`, `2026-11-28T19:30:02.5+01:00`).
pub fn parse_rfc3339(s: &str) -> Option<SystemTime> {
    let s = s.trim();
    let (date, rest) = s.split_once(['T', 't', ' '])?;
    let mut dp = date.split('-');
    let (y, mo, d) = (num::<i64>(dp.next()?)?, num::<u32>(dp.next()?)?, num::<u32>(dp.next()?)?);
    let (clock, offset_secs) = if let Some(c) = rest.strip_suffix(['Z', 'z']) {
        (c, 0i64)
    } else {
        let at = rest.rfind(['+', '-'])?;
        let (c, off) = rest.split_at(at);
        let sign = if off.starts_with('-') { -1 } else { 1 };
        let (oh, om) = off[1..].split_once(':')?;
        (c, sign * (num::<i64>(oh)? * 3600 + num::<i64>(om)? * 60))
    };
    let mut cp = clock.split(':');
    let (h, mi) = (num::<i64>(cp.next()?)?, num::<i64>(cp.next()?)?);
    let sec_text = cp.next()?;
    let (whole, frac) = sec_text.split_once('.').unwrap_or((sec_text, ""));
    let nanos = if frac.is_empty() { 0 } else { num::<u32>(&format!("{frac:0<9}")[..9])? };
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 {
        return None;
    }
    let secs = days_from_civil(y, mo, d) * 86_400 + h * 3600 + mi * 60 + num::<i64>(whole)? - offset_secs;
    Some(from_secs(secs, nanos))
}

/// Parses an HTTP IMF-fixdate: `Wed, 21 Oct 2015 07:28:00 GMT`.
pub fn parse_http_date(s: &str) -> Option<SystemTime> {
    const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let mut parts = s.split_once(", ")?.1.split_whitespace();
    let day = num::<u32>(parts.next()?)?;
    let month_name = parts.next()?.get(..3)?;
    let month = MONTHS.iter().position(|m| *m == month_name)? as u32 + 1;
    let year = num::<i64>(parts.next()?)?;
    let mut clock = parts.next()?.split(':');
    let (h, m, sec) = (num::<i64>(clock.next()?)?, num::<i64>(clock.next()?)?, num::<i64>(clock.next()?)?);
    Some(from_secs(days_from_civil(year, month, day) * 86_400 + h * 3600 + m * 60 + sec, 0))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(secs: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(secs)
    }

    #[test]
    fn formats_utc() {
        assert_eq!(rfc3339_utc(UNIX_EPOCH), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339_utc(at(1_795_894_202)), "2026-11-28T19:30:02Z");
        assert_eq!(rfc3339_utc(at(951_782_400)), "2000-02-29T00:00:00Z");
    }

    #[test]
    fn parses_rfc3339_with_offsets_and_fractions() {
        assert_eq!(parse_rfc3339("2026-11-28T19:30:02Z"), Some(at(1_795_894_202)));
        assert_eq!(parse_rfc3339("2026-11-28T20:30:02+01:00"), Some(at(1_795_894_202)));
        assert_eq!(parse_rfc3339("2026-11-28T19:30:02.5Z"), Some(at(1_795_894_202) + Duration::from_millis(500)));
        assert_eq!(parse_rfc3339("yesterday"), None);
        for t in [0u64, 951_782_400, 1_795_894_202] {
            assert_eq!(parse_rfc3339(&rfc3339_utc(at(t))), Some(at(t)));
        }
    }

    #[test]
    fn parses_http_dates() {
        assert_eq!(parse_http_date("Wed, 21 Oct 2015 07:28:00 GMT"), Some(at(1_445_412_480)));
        assert_eq!(parse_http_date("soon"), None);
    }
}
