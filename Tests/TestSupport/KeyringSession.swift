import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A private D-Bus session bus with its own gnome-keyring, unlocked, in a
/// fresh HOME: the Secret Service the keyring tests talk to.
///
/// Each session is isolated, so a test may lock it or run it without any
/// Secret Service provider, and a developer's own keyring is never touched.
/// The bus listens on `$XDG_RUNTIME_DIR/bus`; the daemons run under
/// `supervise.py` and die with the test process.
public final class KeyringSession: @unchecked Sendable {
    /// What answers on the bus.
    public enum Provider: Sendable {
        /// gnome-keyring with an unlocked default (`login`) collection.
        case gnomeKeyring
        /// Nothing: org.freedesktop.secrets is not even activatable.
        /// (No session here activates services: without a prompter, an
        /// unlock prompt fails at once, as on a headless machine.)
        case none
    }

    public let directory: TemporaryDirectory
    public let home: String
    public let runtimeDirectory: String
    public let busAddress: String
    private let fixture: ProcessFixture

    /// The keyring's password (throwaway, for this session only).
    public static let password = "ko-test-keyring"

    /// Starts the bus and, for `.gnomeKeyring`, the keyring; returns once the
    /// default collection answers unlocked.
    public init(provider: Provider = .gnomeKeyring) throws {
        directory = try TemporaryDirectory("ko-keyring")
        home = directory.path + "/home"
        runtimeDirectory = directory.path + "/run"
        busAddress = "unix:path=\(runtimeDirectory)/bus"
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: runtimeDirectory, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        try directory.write("password", KeyringSession.password, mode: 0o600)
        try directory.write("bus.conf", KeyringSession.busConfig(listen: busAddress))
        let script = try directory.write("session.sh", KeyringSession.script, mode: 0o755)

        var environment = KeyringSession.baseEnvironment()
        environment["KEYRING_SESSION_DIR"] = directory.path
        environment["KEYRING_PROVIDER"] = provider == .gnomeKeyring ? "gnome-keyring" : "none"
        fixture = try ProcessFixture(name: "keyring session", executable: "/bin/sh", arguments: [script],
                                     logPath: directory.path + "/session.log", environment: environment)
        try waitUntilReady()
    }

    /// The environment a process needs to use this session's keyring: HOME,
    /// XDG_RUNTIME_DIR, DBUS_SESSION_BUS_ADDRESS, and PATH with `extraPath`
    /// in front. No DISPLAY, so no prompt window can ever appear.
    public func environment(extraPath: [String] = [], adding extra: [String: String] = [:]) -> [String: String] {
        var environment = KeyringSession.baseEnvironment()
        environment["HOME"] = home
        environment["XDG_RUNTIME_DIR"] = runtimeDirectory
        environment["DBUS_SESSION_BUS_ADDRESS"] = busAddress
        environment["PATH"] = (extraPath + [environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"])
            .joined(separator: ":")
        environment.merge(extra) { _, new in new }
        return environment
    }

    /// Locks the default collection, as a screen lock or a timeout would.
    public func lockDefaultCollection() throws {
        try ProcessRunner.check("gdbus", [
            "call", "--session", "--dest", "org.freedesktop.secrets", "--object-path", "/org/freedesktop/secrets",
            "--method", "org.freedesktop.Secret.Service.Lock", "['/org/freedesktop/secrets/aliases/default']",
        ], environment: environment())
    }

    /// Every item on the bus with `docker_cli` = 1, as secret-tool shows them
    /// (attributes and label; secrets omitted).
    public func dockerItems() throws -> [[String: String]] {
        // secret-tool prints attributes on stderr and the rest on stdout: one
        // stream keeps each item's lines together.
        let result = try ProcessRunner.check("/bin/sh", ["-c", "exec secret-tool search --all docker_cli 1 2>&1"],
                                             environment: environment())
        var items: [[String: String]] = []
        var current: [String: String]?
        for line in result.output.split(separator: "\n") {
            if line.hasPrefix("[/") {
                if let current { items.append(current) }
                current = [:]
                continue
            }
            let parts = line.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, parts[0] != "secret" else { continue }
            current?[parts[0]] = parts[1]
        }
        if let current { items.append(current) }
        return items
    }

    /// A shared session for code that uses libsecret inside the test process.
    ///
    /// libsecret finds the bus through the process environment, so the first
    /// call points DBUS_SESSION_BUS_ADDRESS at this session for the rest of the
    /// process (it is never changed back: libsecret keeps its connection).
    public static func sharedInProcess() throws -> KeyringSession {
        try sharedState.get()
    }

    private static let sharedState: Result<KeyringSession, Error> = Result {
        let session = try KeyringSession()
        setenv("DBUS_SESSION_BUS_ADDRESS", session.busAddress, 1)
        return session
    }

    // MARK: - Startup

    private func waitUntilReady(seconds: Double = 60) throws {
        let ready = directory.path + "/ready"
        let deadline = Date().addingTimeInterval(seconds)
        while !FileManager.default.fileExists(atPath: ready) {
            guard fixture.isRunning else {
                throw ProcessFixtureError.notReady(what: "keyring session", reason: "its script exited",
                                                   log: fixture.logTail())
            }
            guard Date() < deadline else {
                throw ProcessFixtureError.notReady(what: "keyring session",
                                                   reason: "not ready after \(Int(seconds))s", log: fixture.logTail())
            }
            usleep(20_000)
        }
    }

    private static func baseEnvironment() -> [String: String] {
        var environment = ProcessInfo.processInfo.environment
        for name in ["DISPLAY", "WAYLAND_DISPLAY", "DBUS_SESSION_BUS_ADDRESS", "GNOME_KEYRING_CONTROL",
                     "DOCKER_CONFIG", "SSH_AUTH_SOCK"] {
            environment[name] = nil
        }
        return environment
    }

    /// A session bus without service activation: nothing starts behind the
    /// test's back (a second keyring racing the first, a prompt window).
    private static func busConfig(listen: String) -> String {
        """
        <!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
         "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
        <busconfig>
          <type>session</type>
          <listen>\(listen)</listen>
          <auth>EXTERNAL</auth>
          <policy context="default">
            <allow send_destination="*" eavesdrop="true"/>
            <allow eavesdrop="true"/>
            <allow own="*"/>
          </policy>
        </busconfig>
        """
    }

    /// Starts dbus-daemon and gnome-keyring in the foreground, writes `ready`
    /// once the default collection answers unlocked, and takes both daemons
    /// down when terminated.
    private static let script = #"""
        set -u
        D=$KEYRING_SESSION_DIR
        export HOME=$D/home XDG_RUNTIME_DIR=$D/run DBUS_SESSION_BUS_ADDRESS=unix:path=$D/run/bus
        KEY=
        dbus-daemon --config-file="$D/bus.conf" --nofork --nopidfile --nosyslog &
        BUS=$!
        trap 'kill $KEY $BUS 2>/dev/null' EXIT
        trap 'exit 0' TERM INT
        i=0
        while [ ! -S "$D/run/bus" ]; do
            i=$((i + 1)); [ $i -gt 1500 ] && { echo "dbus-daemon did not create its socket"; exit 1; }
            sleep 0.02
        done
        if [ "$KEYRING_PROVIDER" = gnome-keyring ]; then
            gnome-keyring-daemon --foreground --unlock --components=secrets < "$D/password" > "$D/keyring.out" &
            KEY=$!
            i=0
            until gdbus call --session --dest org.freedesktop.secrets \
                    --object-path /org/freedesktop/secrets/aliases/default \
                    --method org.freedesktop.DBus.Properties.Get org.freedesktop.Secret.Collection Locked \
                    2>/dev/null | grep -q false; do
                i=$((i + 1)); [ $i -gt 1500 ] && { echo "gnome-keyring did not unlock its collection"; exit 1; }
                sleep 0.02
            done
        fi
        echo ready > "$D/ready"
        wait
        """#
}
