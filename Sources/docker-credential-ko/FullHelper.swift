#if canImport(Glibc)
import Glibc
#endif

/// Hands a request to the full helper, `ko __credential-helper`, by
/// replacing this process with it: the `ko` beside this executable (as
/// `make install` puts them), else the first `ko` on PATH.
enum FullHelper {
    /// Never returns. `input` is stdin already read, fed to the full helper
    /// through a pipe; nil leaves stdin as it is.
    static func become(arguments: [String], input: [UInt8]?) -> Never {
        guard let ko = locateKo() else {
            fail("docker-credential-ko needs ko installed beside it (or on PATH) for this request; "
                 + "install both with 'make install'")
        }
        if let input {
            var fds: [Int32] = [-1, -1]
            // A request is a few hundred bytes; the pipe holds 64 KiB without a reader.
            guard input.count < 60_000, pipe(&fds) == 0 else { fail("cannot pass the request on to ko") }
            var offset = 0
            while offset < input.count {
                let written = input[offset...].withUnsafeBytes { write(fds[1], $0.baseAddress, $0.count) }
                if written < 0 && errno == EINTR { continue }
                guard written > 0 else { fail("cannot pass the request on to ko") }
                offset += written
            }
            close(fds[1])
            dup2(fds[0], 0)
            close(fds[0])
        }
        let argv = (["ko", "__credential-helper", "--"] + arguments).map { strdup($0) } + [nil]
        execv(ko, argv)
        fail("cannot run \(ko): \(String(cString: strerror(errno)))")
    }

    private static func locateKo() -> String? {
        var buffer = [CChar](repeating: 0, count: 4096)
        let length = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        if length > 0 {
            let own = String(decoding: buffer[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            if let slash = own.lastIndex(of: "/") {
                let beside = String(own[..<slash]) + "/ko"
                if access(beside, X_OK) == 0 { return beside }
            }
        }
        let path = getenv("PATH").map { String(cString: $0) } ?? "/usr/local/bin:/usr/bin:/bin"
        for directory in path.split(separator: ":") where !directory.isEmpty {
            let candidate = String(directory) + "/ko"
            if access(candidate, X_OK) == 0 { return candidate }
        }
        return nil
    }

    private static func fail(_ message: String) -> Never {
        writeStandardOutput(message)
        exit(1)
    }
}
