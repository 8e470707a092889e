#if canImport(Glibc)
import Glibc
#endif

/// Asks for a username and password on the terminal, as `docker login` does
/// when they are not given on the command line.
///
/// Prompts go to stderr (stdout is for results); the password is read with
/// echo off and the terminal is restored even when reading fails.
enum TerminalPrompt {
    /// True when stdin is a terminal someone can type into.
    static var isInteractive: Bool { isatty(0) == 1 }

    /// Shows `prompt` and reads one line from stdin, without its line end;
    /// nil at end of input.
    static func readLine(_ prompt: String, echo: Bool = true) -> String? {
        var saved = termios()
        guard !echo, isInteractive, tcgetattr(0, &saved) == 0 else {
            write(prompt)
            return Swift.readLine(strippingNewline: true)
        }
        // Echo goes off before the prompt shows, so nothing typed after it
        // can appear; input typed ahead is kept (TCSANOW, not TCSAFLUSH).
        var silent = saved
        silent.c_lflag &= ~tcflag_t(ECHO)
        _ = tcsetattr(0, TCSANOW, &silent)
        defer {
            _ = tcsetattr(0, TCSANOW, &saved)
            // The newline the user typed was not echoed.
            write("\n")
        }
        write(prompt)
        return Swift.readLine(strippingNewline: true)
    }

    private static func write(_ text: String) {
        text.withCString { pointer in _ = Glibc.write(2, pointer, strlen(pointer)) }
    }
}
