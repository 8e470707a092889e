import Foundation
import Testing
import TestSupport

/// `make install` from a fresh clone, as a packager runs it: everything lands
/// under DESTDIR/PREFIX, the binaries know their commit, and the clone's
/// tracked files are left as they were.
struct InstallTests {
    @Test func aFreshClonesMakeInstallInstallsBinariesManPagesAndCompletions() throws {
        let work = try TemporaryDirectory("ko-install")
        let clone = work.path + "/clone"
        let destination = work.path + "/dest"
        try ProcessRunner.check("git", ["clone", "--quiet", Products.packageRoot, clone])
        let commit = try ProcessRunner.check("git", ["-C", clone, "rev-parse", "--short=12", "HEAD"]).output
            .trimmingCharacters(in: .whitespacesAndNewlines)

        var environment = ProcessInfo.processInfo.environment
        environment.removeValue(forKey: "KO_GIT_COMMIT")
        let install = try ProcessRunner.run("make", ["-C", clone, "install", "DESTDIR=\(destination)",
                                                     "PREFIX=/opt/ko"], environment: environment)
        try #require(install.status == 0, "make install failed:\n\(install.errorOutput.suffix(4000))")

        let prefix = destination + "/opt/ko"
        let expected = [
            "bin/ko", "bin/docker-credential-ko", "bin/docker-credential-ko-cloud",
            "share/man/man1/ko.1", "share/man/man1/ko-build.1", "share/man/man1/ko-resolve.1",
            "share/man/man1/ko-login.1", "share/man/man1/docker-credential-ko.1", "share/man/man5/ko.yaml.5",
            "share/bash-completion/completions/ko", "share/zsh/site-functions/_ko",
            "share/fish/vendor_completions.d/ko.fish",
        ]
        for file in expected {
            #expect(FileManager.default.fileExists(atPath: prefix + "/" + file), "\(file) was not installed")
        }
        #expect(FileManager.default.isExecutableFile(atPath: prefix + "/bin/ko"))
        let shipped = try FileManager.default.contentsOfDirectory(atPath: clone + "/man")
        let installed = try FileManager.default.contentsOfDirectory(atPath: prefix + "/share/man/man1")
            + FileManager.default.contentsOfDirectory(atPath: prefix + "/share/man/man5")
        #expect(Set(installed) == Set(shipped), "every page in man/ is installed, and nothing else")

        // The binaries carry the clone's commit, stamped without touching tracked files.
        let version = try ProcessRunner.check(prefix + "/bin/ko", ["version"]).output
        #expect(version.contains("(commit \(commit))"), "ko version says '\(version)', HEAD is \(commit)")
        for helper in ["docker-credential-ko", "docker-credential-ko-cloud"] {
            let version = try ProcessRunner.check(prefix + "/bin/" + helper, ["version"]).output
            #expect(version.contains("(commit \(commit))"), "\(helper) version says '\(version)'")
        }
        let status = try ProcessRunner.check("git", ["-C", clone, "status", "--porcelain"]).output
        #expect(status.isEmpty, "make install changed the clone:\n\(status)")

        // The installed pages and completions work as installed.
        let pages = installed.map { name in
            prefix + "/share/man/" + (name.hasSuffix(".5") ? "man5/" : "man1/") + name
        }
        let lint = try ProcessRunner.run("mandoc", ["-T", "lint"] + pages)
        #expect(lint.status == 0 && lint.output.isEmpty && lint.errorOutput.isEmpty, "\(lint.errorOutput)")
        let bash = """
            source /usr/share/bash-completion/bash_completion
            source '\(prefix)/share/bash-completion/completions/ko'
            COMP_WORDS=(ko build --pu); COMP_CWORD=2; COMP_LINE='ko build --pu'; COMP_POINT=${#COMP_LINE}
            _ko
            printf '%s\\n' "${COMPREPLY[@]}"
            """
        #expect(try ProcessRunner.check("bash", ["-c", bash]).output == "--push\n")
    }
}
