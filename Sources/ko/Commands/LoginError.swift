/// Why `ko login` could not get a username and password. The wording is
/// docker's, which scripts and users already know.
enum LoginError: Error, CustomStringConvertible {
    /// A username or password is missing and stdin is not a terminal to ask on.
    case notInteractive
    /// Nothing was typed at the username prompt.
    case usernameRequired
    /// Nothing was typed at the password prompt.
    case passwordRequired

    var description: String {
        switch self {
        case .notInteractive:
            return "Cannot perform an interactive login from a non TTY device: "
                + "pass --username and pipe the password to --password-stdin"
        case .usernameRequired:
            return "Non-null Username Required"
        case .passwordRequired:
            return "Password Required"
        }
    }
}
