/// A request option of the wrong type or value: answered with ERROR `wamp.error.invalid_argument`
/// whose argument is ``message``.
struct InvalidOption: Error, Hashable {
    /// What was wrong, naming the option and the value: `PUBLISH.Options.exclude must be a list
    /// of integer session IDs, got string "x"`.
    let message: String
}
