enum SelfTestProbe {
    static let script = "print(1)"
}
