import Foundation

/// A parsed number literal that can be respelled with a new value in the same style: integers
/// stay integers (in their radix, with their suffix), floats stay floats, formatted compactly.
struct NumericLiteral: Sendable, Hashable {
    /// Whether the literal is an integer (no fraction, no exponent).
    var isInteger: Bool
    /// The integer value (for integers).
    var integerValue: Int
    /// The value as a floating-point number (for both kinds).
    var doubleValue: Double
    /// How many significant digits the literal was written with (at least 1).
    var significantDigits: Int

    private var radix: Int
    private var prefix: String
    private var uppercaseDigits: Bool
    private var groupsDigits: Bool
    private var suffix: String

    private static let integerSuffixes: Set<String> = [
        "l", "L", "ll", "LL", "u", "U", "ul", "UL", "uL", "Ul", "ull", "ULL", "lu", "LU", "n", "j", "J",
        "i8", "i16", "i32", "i64", "i128", "isize", "u8", "u16", "u32", "u64", "u128", "usize", "f32", "f64",
        "f", "F", "d", "D", "m", "M",
    ]
    private static let floatSuffixes: Set<String> = ["f", "F", "d", "D", "m", "M", "j", "J", "f32", "f64", "L", "l"]

    /// Parses a number token; nil for spellings it does not understand (or would rather not touch,
    /// like C octal `017` or integers beyond 64 bits).
    init?(_ text: String) {
        let chars = Array(text)
        guard let first = chars.first else { return nil }
        if first == "0", chars.count > 2, "xXbBoO".contains(chars[1]) {
            let radix: Int = switch chars[1] {
            case "x", "X": 16
            case "b", "B": 2
            default: 8
            }
            var digits = ""
            var k = 2
            while k < chars.count, chars[k] == "_" || chars[k].isHexDigit && (radix == 16 || chars[k].isNumber) {
                if chars[k] != "_" { digits.append(chars[k]) }
                k += 1
            }
            let suffix = String(chars[k...])
            guard !digits.isEmpty, suffix.isEmpty || Self.integerSuffixes.contains(suffix),
                  let value = Int(digits, radix: radix)
            else { return nil }
            self.init(isInteger: true, integerValue: value, doubleValue: Double(value), significantDigits: digits.count,
                      radix: radix, prefix: String(chars[0...1]), uppercaseDigits: digits.contains { $0.isUppercase },
                      groupsDigits: chars.contains("_"), suffix: suffix)
            return
        }

        var mantissa = ""
        var exponent = ""
        var k = 0
        var sawDot = false
        while k < chars.count, chars[k].isASCII, chars[k].isNumber || chars[k] == "_" || (chars[k] == "." && !sawDot) {
            if chars[k] == "." { sawDot = true }
            if chars[k] != "_" { mantissa.append(chars[k]) }
            k += 1
        }
        if k < chars.count, chars[k] == "e" || chars[k] == "E" {
            var e = k + 1
            var spelled = "e"
            if e < chars.count, chars[e] == "+" || chars[e] == "-" {
                spelled.append(chars[e])
                e += 1
            }
            let digitsStart = e
            while e < chars.count, chars[e].isASCII, chars[e].isNumber || chars[e] == "_" {
                if chars[e] != "_" { spelled.append(chars[e]) }
                e += 1
            }
            if e > digitsStart {
                exponent = spelled
                k = e
            }
        }
        let suffix = String(chars[k...])
        let isInteger = !sawDot && exponent.isEmpty
        guard mantissa.contains(where: \.isNumber),
              suffix.isEmpty || (isInteger ? Self.integerSuffixes : Self.floatSuffixes).contains(suffix)
        else { return nil }

        let significant = mantissa.filter(\.isNumber).drop(while: { $0 == "0" }).count
        if isInteger {
            // A leading zero means octal in C and is an error in Python: leave such literals alone.
            guard mantissa == "0" || !mantissa.hasPrefix("0"), let value = Int(mantissa) else { return nil }
            self.init(isInteger: true, integerValue: value, doubleValue: Double(value),
                      significantDigits: max(1, significant), radix: 10, prefix: "", uppercaseDigits: false,
                      groupsDigits: chars.contains("_"), suffix: suffix)
        } else {
            let normalized = (mantissa.hasPrefix(".") ? "0" : "") + mantissa + (mantissa.hasSuffix(".") ? "0" : "")
                + exponent
            guard let value = Double(normalized), value.isFinite else { return nil }
            self.init(isInteger: false, integerValue: 0, doubleValue: value, significantDigits: max(1, significant),
                      radix: 10, prefix: "", uppercaseDigits: false, groupsDigits: false, suffix: suffix)
        }
    }

    private init(isInteger: Bool, integerValue: Int, doubleValue: Double, significantDigits: Int, radix: Int,
                 prefix: String, uppercaseDigits: Bool, groupsDigits: Bool, suffix: String) {
        self.isInteger = isInteger
        self.integerValue = integerValue
        self.doubleValue = doubleValue
        self.significantDigits = significantDigits
        self.radix = radix
        self.prefix = prefix
        self.uppercaseDigits = uppercaseDigits
        self.groupsDigits = groupsDigits
        self.suffix = suffix
    }

    /// The spelling of the integer `value` (which may be negative) in this literal's radix and style.
    func spelling(integer value: Int) -> String {
        var digits = String(value.magnitude, radix: radix, uppercase: uppercaseDigits)
        if groupsDigits, radix == 10, digits.count > 4 {
            var grouped = ""
            for (k, ch) in digits.enumerated() {
                if k > 0, (digits.count - k) % 3 == 0 { grouped.append("_") }
                grouped.append(ch)
            }
            digits = grouped
        }
        return (value < 0 ? "-" : "") + prefix + digits + suffix
    }

    /// The compact spelling of the float `value`, rounded to a few more significant digits than
    /// the literal had (so `0.35 × 1.01` is `0.3535`, not `0.35350000000000004`); nil if not finite.
    func spelling(double value: Double) -> String? {
        guard let body = Self.compactFloat(value, significantDigits: min(max(significantDigits + 2, 3), 12)) else {
            return nil
        }
        return body + suffix
    }

    /// `value` rounded to `significantDigits` significant digits, in its shortest round-trippable
    /// spelling, always recognisable as a float (`2.0`, `0.3535`, `1e-05`); nil if not finite.
    static func compactFloat(_ value: Double, significantDigits: Int) -> String? {
        guard value.isFinite else { return nil }
        let rounded = Double(String(format: "%.\(significantDigits)g", value)) ?? value
        if rounded == 0 { return "0.0" }
        let text = "\(rounded)"
        return text.contains(".") || text.contains("e") ? text : text + ".0"
    }
}
