import Foundation
import KoCommandLine
import KoLog

// One place turns every error into `Error: …` on stderr and an exit status:
// 64 for a command line that does not fit, 1 for everything else.
let arguments = Array(CommandLine.arguments.dropFirst())
do {
    try KoCommands.run(arguments, environment: ProcessInfo.processInfo.environment)
    exit(0)
} catch let error as UsageError {
    Logger.standardError(.error, "\(error)\nRun 'ko help' for usage.")
    exit(64)
} catch {
    if let explained = error as? ToolOutputError, !explained.toolOutput.isEmpty {
        // Another program's own messages, verbatim, above our one line.
        Logger.standardError(.info, explained.toolOutput)
    }
    Logger.standardError(.error, "\(error)")
    exit(1)
}
