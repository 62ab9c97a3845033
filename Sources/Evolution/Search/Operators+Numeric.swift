import Foundation

/// Numeric-tuning mutations: change one number literal, keeping integers integers and floats floats.
extension MutationOperator {
    /// Small and large relative steps: ×(1 ± 0.01 … 0.5); integers also ±1.
    static let numericPerturb = MutationOperator(name: "numeric-perturb", defaultWeight: 3) {
        $0.numericSites { $0.perturbations() }
    }
    /// ×2, ÷2, ×10, ÷10.
    static let numericScale = MutationOperator(name: "numeric-scale", defaultWeight: 1.5) {
        $0.numericSites { $0.scalings() }
    }
    /// Negate, or set to 0 or 1.
    static let numericSpecial = MutationOperator(name: "numeric-special", defaultWeight: 1) {
        $0.numericSites { $0.specialValues() }
    }
}

/// A number literal in a file, with its sign when written with a unary minus (`-0.5`).
struct NumberLiteralSite {
    /// First token (the `-` of a negative literal) and the number token.
    var first: Int
    var last: Int
    var literal: NumericLiteral
    var isNegative: Bool

    /// The signed value.
    var integerValue: Int { isNegative ? -literal.integerValue : literal.integerValue }
    var doubleValue: Double { isNegative ? -literal.doubleValue : literal.doubleValue }

    /// A replacement value: an integer for integer literals, a double for floats.
    enum Value {
        case integer(Int)
        case double(Double)
    }

    /// The integer value moved by `delta`, or nil on overflow (`0x7fffffffffffffff + 1`).
    func integer(plus delta: Int) -> Int? {
        let (sum, overflow) = integerValue.addingReportingOverflow(delta)
        return overflow ? nil : sum
    }

    func perturbations() -> [Value] {
        if literal.isInteger {
            let v = integerValue
            var values = [integer(plus: 1), integer(plus: -1)].compactMap { $0 }
            if v.magnitude >= 4 {
                for factor in [1.1, 0.9, 1.25, 0.75, 1.5, 0.5] {
                    let scaled = (Double(v) * factor).rounded()
                    if scaled.magnitude < 1e15 { values.append(Int(scaled)) }
                }
            }
            return values.map(Value.integer)
        }
        let v = doubleValue
        if v == 0 { return [0.01, -0.01, 0.1, -0.1, 1].map(Value.double) }
        return [0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5].flatMap { [Value.double(v * (1 + $0)), .double(v * (1 - $0))] }
    }

    func scalings() -> [Value] {
        if literal.isInteger {
            let v = integerValue
            var values = [v / 2, v / 10]
            for factor in [2, 10] {
                let (product, overflow) = v.multipliedReportingOverflow(by: factor)
                if !overflow { values.append(product) }
            }
            return values.map(Value.integer)
        }
        let v = doubleValue
        return [v * 2, v / 2, v * 10, v / 10].map(Value.double)
    }

    func specialValues() -> [Value] {
        literal.isInteger
            ? [-integerValue, 0, 1].map(Value.integer)
            : [-doubleValue, 0, 1].map(Value.double)
    }
}

extension SourceAnalysis {
    /// Every mutable number literal: not a tuple index (`t.0`), not in an unparseable spelling.
    func numberLiterals() -> [NumberLiteralSite] {
        if let cached = cachedNumberLiterals { return cached }
        let found = findNumberLiterals()
        cachedNumberLiterals = found
        return found
    }

    private func findNumberLiterals() -> [NumberLiteralSite] {
        // Version numbers in `#available(macOS 10.15, *)` / `@available(…)` are not tunable.
        var versions: Set<Int> = []
        for k in tokens.indices where ["#available", "#unavailable", "available"].contains(tokens[k].text)
            && (tokens[k].text.hasPrefix("#") || isPunctuation(k - 1, "@")) {
            if isPunctuation(k + 1, "("), let close = partner[k + 1] { versions.formUnion((k + 1)...close) }
        }
        var found: [NumberLiteralSite] = []
        for k in tokens.indices where tokens[k].kind == .number && !versions.contains(k) {
            guard let literal = NumericLiteral(tokens[k].text) else { continue }
            if isPunctuation(k - 1, [".", "?.", "::"]), !tokens[k].spaceBefore { continue }
            let negative = isPunctuation(k - 1, "-") && !isBinaryOperator(at: k - 1) && tokens[k - 1].end == tokens[k].start
            found.append(NumberLiteralSite(first: negative ? k - 1 : k, last: k, literal: literal, isNegative: negative))
        }
        return found
    }

    /// One site per number literal, with a candidate per value `values` gives.
    func numericSites(_ values: @escaping (NumberLiteralSite) -> [NumberLiteralSite.Value]) -> [MutationSite] {
        numberLiterals().map { number in
            MutationSite(line: tokens[number.last].line) { [self] in
                values(number).compactMap { replacement(for: number, value: $0) }
            }
        }
    }

    /// The candidate respelling `number` as `value`, or nil if it would not change the value.
    func replacement(for number: NumberLiteralSite, value: NumberLiteralSite.Value) -> MutationCandidate? {
        var spelled: String
        var isNegative: Bool
        switch value {
        case .integer(let v):
            guard v != number.integerValue else { return nil }
            spelled = number.literal.spelling(integer: v)
            isNegative = v < 0
        case .double(let v):
            guard v != number.doubleValue, let text = number.literal.spelling(double: v),
                  NumericLiteral(String(text.drop { $0 == "-" }))?.doubleValue != number.doubleValue.magnitude
                    || (v < 0) != (number.doubleValue < 0)
            else { return nil }
            spelled = text
            isNegative = v < 0
        }
        // `x-1` → `x-(-2)`, never `x--2`.
        if isNegative, !number.isNegative, number.first > 0, isPunctuation(number.first - 1, ["-", "+", "--", "++"]),
           tokens[number.first - 1].end == tokens[number.first].start {
            spelled = "(\(spelled))"
        }
        return candidate(tokens: number.first, through: number.last, with: spelled)
    }
}
