import Foundation

/// A small Go module written fresh for each test, unlike the example the
/// README uses: a command with a kodata directory (a nested file and a
/// symlink to a file elsewhere in the module) and a library package.
public final class GoModuleFixture: @unchecked Sendable {
    public let directory: TemporaryDirectory
    public var root: String { directory.path }
    public static let modulePath = "github.com/someone-else/greeter"
    public static let commandImportPath = modulePath + "/cmd/greeter"
    public static let libraryImportPath = modulePath + "/internal/words"

    /// Writes the module. `message` goes into the program so that tests can
    /// make two modules whose binaries differ.
    public init(message: String = "greetings from greeter") throws {
        directory = try TemporaryDirectory("ko-gomod")
        try directory.write("go.mod", "module \(Self.modulePath)\n\ngo 1.19\n")
        try directory.write("internal/words/words.go", """
            // Package words is a library: ko must refuse to build it.
            package words

            // Message is what the command prints first.
            const Message = "\(message)"

            """)
        try directory.write("cmd/greeter/main.go", """
            package main

            import (
            \t"fmt"
            \t"os"
            \t"path/filepath"

            \t"\(Self.libraryImportPath)"
            )

            func main() {
            \tfmt.Println(words.Message)
            \tdir := os.Getenv("KO_DATA_PATH")
            \tfor _, name := range []string{"motd.txt", "nested/deep.txt", "shared.txt"} {
            \t\tdata, err := os.ReadFile(filepath.Join(dir, name))
            \t\tif err != nil {
            \t\t\tfmt.Println("missing", name, err)
            \t\t\tos.Exit(3)
            \t\t}
            \t\tfmt.Printf("%s: %s", name, data)
            \t}
            }

            """)
        try directory.write("cmd/greeter/kodata/motd.txt", "message of the day\n")
        try directory.write("cmd/greeter/kodata/nested/deep.txt", "deep file\n")
        try directory.write("assets/shared.txt", "shared through a symlink\n")
        try FileManager.default.createSymbolicLink(atPath: root + "/cmd/greeter/kodata/shared.txt",
                                                   withDestinationPath: "../../../assets/shared.txt")
    }

    /// What the program prints when its image runs correctly.
    public static func expectedOutput(message: String = "greetings from greeter") -> String {
        """
        \(message)
        motd.txt: message of the day
        nested/deep.txt: deep file
        shared.txt: shared through a symlink

        """
    }
}
