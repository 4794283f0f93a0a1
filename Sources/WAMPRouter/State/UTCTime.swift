/// A wall-clock time in UTC, in milliseconds since 1970-01-01T00:00:00Z, as the I/O layer read
/// it when the event happened: the routing state reads no clock and is given this value with
/// each event that may need it (the `created` time of a subscription or registration in the
/// meta API).
struct UTCTime: Hashable, Sendable {
    /// Milliseconds since 1970-01-01T00:00:00Z.
    let millisecondsSince1970: Int64

    /// 1970-01-01T00:00:00Z, the time pure-state tests pass when they do not look at it.
    static let epoch = UTCTime(millisecondsSince1970: 0)

    /// The time in ISO 8601 with milliseconds, in UTC, as the WAMP meta API shows `created`
    /// (the form Crossbar sends, e.g. `2026-12-02T10:58:07.123Z`).
    var iso8601: String {
        let (days, millisecondOfDay) = millisecondsSince1970.quotientAndRemainder(dividingBy: 86_400_000)
        // Before 1970 the remainder is negative: borrow one day.
        let (day, ms) = millisecondOfDay < 0 ? (days - 1, millisecondOfDay + 86_400_000) : (days, millisecondOfDay)
        let (year, month, dayOfMonth) = Self.civilDate(daysSince1970: day)
        return "\(Self.digits(year, 4))-\(Self.digits(month, 2))-\(Self.digits(dayOfMonth, 2))"
            + "T\(Self.digits(ms / 3_600_000, 2)):\(Self.digits(ms / 60_000 % 60, 2)):\(Self.digits(ms / 1000 % 60, 2))"
            + ".\(Self.digits(ms % 1000, 3))Z"
    }

    /// The proleptic Gregorian date of a day counted from 1970-01-01 (Howard Hinnant's
    /// `civil_from_days` algorithm).
    private static func civilDate(daysSince1970: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = daysSince1970 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// `value` in decimal, padded with zeros to `width` digits.
    private static func digits(_ value: Int64, _ width: Int) -> String {
        let text = String(value)
        return String(repeating: "0", count: max(0, width - text.count)) + text
    }
}
