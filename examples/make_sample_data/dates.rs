//! Dates as resumes write them: the JSON Resume `YYYY`, `YYYY-MM` or `YYYY-MM-DD` strings shown as
//! "Jan 2020", "January 2020", "03/2018", "2019" or "2019-06", and ranges ending in "Present"
//! when the document has no end date.

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// How one resume writes its dates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DateFormat {
    /// "Jan 2020 – Present"
    ShortMonth,
    /// "January 2020 - June 2021"
    LongMonth,
    /// "03/2018 to 06/2020"
    Numeric,
    /// "2019-2021"
    Year,
    /// "2019-06 – 2021-02"
    Iso,
}

impl DateFormat {
    fn separator(self) -> &'static str {
        match self {
            DateFormat::ShortMonth | DateFormat::Iso => " – ",
            DateFormat::LongMonth => " - ",
            DateFormat::Numeric => " to ",
            DateFormat::Year => "-",
        }
    }

    /// One date; a string that is not a JSON Resume date is returned as it is.
    pub fn date(self, raw: &str) -> String {
        let raw = raw.trim();
        let Some((year, month)) = parse(raw) else {
            return raw.to_string();
        };
        match (self, month) {
            (DateFormat::Year, _) | (_, None) => year.to_string(),
            (DateFormat::ShortMonth, Some(m)) => format!("{} {year}", &MONTHS[m - 1][..3]),
            (DateFormat::LongMonth, Some(m)) => format!("{} {year}", MONTHS[m - 1]),
            (DateFormat::Numeric, Some(m)) => format!("{m:02}/{year}"),
            (DateFormat::Iso, Some(m)) => format!("{year}-{m:02}"),
        }
    }

    /// A start–end range; `Present` when only the start is known; `None` when neither is.
    pub fn range(self, start: &str, end: &str) -> Option<String> {
        let (start, end) = (start.trim(), end.trim());
        match (start.is_empty(), end.is_empty()) {
            (true, true) => None,
            (true, false) => Some(self.date(end)),
            (false, true) => Some(format!("{}{}Present", self.date(start), self.separator())),
            (false, false) => {
                let (from, to) = (self.date(start), self.date(end));
                Some(if from == to {
                    from
                } else {
                    format!("{from}{}{to}", self.separator())
                })
            }
        }
    }
}

/// `YYYY`, `YYYY-MM` or `YYYY-MM-DD` as (year, month).
fn parse(raw: &str) -> Option<(u32, Option<usize>)> {
    let mut parts = raw.split('-');
    let year = parts.next().filter(|y| y.len() == 4)?.parse().ok()?;
    let month = match parts.next() {
        None => None,
        Some(m) => Some(m.parse::<usize>().ok().filter(|m| (1..=12).contains(m))?),
    };
    Some((year, month))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_dates_and_ranges() {
        assert_eq!(
            DateFormat::ShortMonth.range("2020-01-15", ""),
            Some("Jan 2020 – Present".into())
        );
        assert_eq!(
            DateFormat::Numeric.range("2018-03-01", "2020-06-30"),
            Some("03/2018 to 06/2020".into())
        );
        assert_eq!(
            DateFormat::Year.range("2019-06", "2021-02"),
            Some("2019-2021".into())
        );
        assert_eq!(
            DateFormat::LongMonth.range("2012", "2013-01-01"),
            Some("2012 - January 2013".into())
        );
        assert_eq!(
            DateFormat::Iso.range("2016-08-24", "2016-08-24"),
            Some("2016-08".into())
        );
        assert_eq!(DateFormat::Year.range("", ""), None);
        assert_eq!(DateFormat::ShortMonth.date("circa 1999"), "circa 1999");
    }
}
