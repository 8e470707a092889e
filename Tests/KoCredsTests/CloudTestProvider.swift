import Foundation
import KoHTTP
import KoLog
@testable import KoCreds
@testable import KoKeyring

/// A provider for tests: the given variables only (never the process
/// environment), no DMI check (so no real metadata server can be chosen),
/// its own memory cache unless one is shared on purpose.
func cloudTestProvider(_ variables: [String: String], now: Date? = nil,
                       memoryCache: CloudTokenCache = CloudTokenCache(),
                       usesDiskCache: Bool = true, logger: Logger = .silent) -> CloudCredentialProvider {
    var environment = CloudEnvironment(variables: variables)
    environment.gceProductNamePath = nil
    if let now { environment.now = { now } }
    return CloudCredentialProvider(environment: environment, http: HTTPClient(logger: logger), logger: logger,
                                   memoryCache: memoryCache, usesDiskCache: usesDiskCache)
}

/// The PATH of the test process, for scripts that need python3 or openssl.
var cloudTestPath: String { ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin" }
