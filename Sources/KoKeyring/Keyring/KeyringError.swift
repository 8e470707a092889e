/// Failures reaching or using the Secret Service keyring. Each message is one
/// line saying what is missing and how to get it.
public enum KeyringError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Neither DBUS_SESSION_BUS_ADDRESS nor `$XDG_RUNTIME_DIR/bus` gives a session bus.
    case noSessionBus
    /// The session bus address is set but cannot be connected to.
    case sessionBusUnreachable(reason: String)
    /// Nothing on the session bus provides org.freedesktop.secrets.
    case noSecretService(reason: String)
    /// The collection stayed locked: the unlock prompt was dismissed or could not be shown.
    case locked
    /// The keyring has no default collection to store into.
    case noDefaultCollection
    /// The keyring did not answer in time.
    case timedOut(operation: String, seconds: Int)
    /// libsecret reported another failure.
    case failed(operation: String, reason: String)
    /// A request lacked the server or username.
    case invalidRequest(String)

    public var description: String {
        switch self {
        case .noSessionBus:
            return "no D-Bus session bus for the keyring: DBUS_SESSION_BUS_ADDRESS is not set and "
                + "$XDG_RUNTIME_DIR/bus does not exist; run inside a desktop session, or start one with "
                + "'dbus-run-session' and 'gnome-keyring-daemon --unlock --components=secrets'"
        case let .sessionBusUnreachable(reason):
            return "cannot connect to the D-Bus session bus (\(reason)); check DBUS_SESSION_BUS_ADDRESS "
                + "points at a running session bus"
        case let .noSecretService(reason):
            return "no Secret Service provider on the D-Bus session bus (\(reason)); start one, for example "
                + "'gnome-keyring-daemon --start --components=secrets' or KeePassXC's Secret Service integration"
        case .locked:
            return "the keyring is locked and was not unlocked (the unlock prompt was dismissed or could not "
                + "be shown); unlock it, for example with 'gnome-keyring-daemon --unlock' or by logging in "
                + "to the desktop, then retry"
        case .noDefaultCollection:
            return "the keyring has no default collection to store credentials in; create a default keyring "
                + "(for example with seahorse) and retry"
        case let .timedOut(operation, seconds):
            return "the keyring (Secret Service over D-Bus) did not answer within \(seconds)s while trying to "
                + "\(operation); check that the keyring daemon is running and unlocked (an unlock prompt may be "
                + "waiting where nobody can see it), then retry"
        case let .failed(operation, reason):
            return "keyring error while trying to \(operation): \(reason)"
        case let .invalidRequest(message):
            return message
        }
    }
}
