import Foundation
import TestSupport
import Testing
@testable import KoCreds
@testable import KoKeyring

/// Token lifetimes and the on-disk cache.
struct CloudTokenCacheTests {
    static let start = Date(timeIntervalSince1970: 1_700_000_000)

    @Test func tokensAreFreshUntilHalfTheirLifetime() {
        let token = CloudToken(username: "AWS", secret: "s", issuedAt: Self.start,
                               expiresAt: Self.start.addingTimeInterval(12 * 3600))
        #expect(token.isFresh(at: Self.start))
        #expect(token.isFresh(at: Self.start.addingTimeInterval(6 * 3600 - 1)))
        #expect(!token.isFresh(at: Self.start.addingTimeInterval(6 * 3600)))
        #expect(!token.isFresh(at: Self.start.addingTimeInterval(13 * 3600)))
    }

    @Test func aTokenThatExpiredBeforeItWasIssuedIsNeverFresh() {
        let token = CloudToken(username: "AWS", secret: "s", issuedAt: Self.start,
                               expiresAt: Date(timeIntervalSince1970: 1_420_070_400))
        #expect(!token.isFresh(at: Self.start))
    }

    @Test func memoryCacheDropsStaleTokens() {
        let cache = CloudTokenCache()
        let token = CloudToken(username: "u", secret: "s", issuedAt: Self.start,
                               expiresAt: Self.start.addingTimeInterval(100))
        cache.store(token, forKey: "k")
        #expect(cache.token(forKey: "k", now: Self.start.addingTimeInterval(10)) == token)
        #expect(cache.token(forKey: "k", now: Self.start.addingTimeInterval(60)) == nil)
        #expect(cache.token(forKey: "k", now: Self.start) == nil)
    }

    @Test func keysDifferWhenAnyPartDiffers() {
        let base = CloudTokenDiskCache.key(["ecr", "host", "AKID", "secret", ""])
        #expect(base == CloudTokenDiskCache.key(["ecr", "host", "AKID", "secret", ""]))
        #expect(base != CloudTokenDiskCache.key(["ecr", "host", "AKID", "secret2", ""]))
        #expect(base != CloudTokenDiskCache.key(["ecr", "host", "AKID2", "secret", ""]))
        #expect(base != CloudTokenDiskCache.key(["ecr", "host", "AKID", "secret", "token"]))
        // Length prefixes keep part boundaries apart.
        #expect(CloudTokenDiskCache.key(["ab", "c"]) != CloudTokenDiskCache.key(["a", "bc"]))
        #expect(base.count == 64)
    }

    @Test func diskCacheWritesPrivateFilesAndReadsThemBack() throws {
        let home = try CloudScratch()
        let cache = try #require(CloudTokenDiskCache(environment: ["XDG_CACHE_HOME": home.path + "/cache"],
                                                     logger: .silent))
        let token = CloudToken(username: "AWS", secret: "minted-password", issuedAt: Self.start,
                               expiresAt: Self.start.addingTimeInterval(3600))
        let key = CloudTokenDiskCache.key(["ecr", "AKIDEXAMPLE", "the-secret-access-key"])
        cache.store(token, forKey: key)

        #expect(cache.token(forKey: key) == token)
        let directory = home.path + "/cache/ko/cloud-tokens"
        #expect(try permissions(directory) == 0o700)
        #expect(try permissions(directory + "/\(key).json") == 0o600)
        let files = try FileManager.default.contentsOfDirectory(atPath: directory)
        #expect(files == ["\(key).json"], "no temporary file is left behind")
        let stored = try String(contentsOfFile: directory + "/\(key).json", encoding: .utf8)
        #expect(!stored.contains("the-secret-access-key"))
        #expect(!stored.contains("AKIDEXAMPLE"))
    }

    @Test func diskCacheIgnoresFilesOthersCouldRead() throws {
        let home = try CloudScratch()
        let cache = try #require(CloudTokenDiskCache(environment: ["HOME": home.path], logger: .silent))
        #expect(cache.directory == home.path + "/.cache/ko/cloud-tokens")
        let token = CloudToken(username: "u", secret: "s", issuedAt: Self.start,
                               expiresAt: Self.start.addingTimeInterval(3600))
        cache.store(token, forKey: "abc")
        try FileManager.default.setAttributes([.posixPermissions: 0o644],
                                              ofItemAtPath: cache.directory + "/abc.json")
        #expect(cache.token(forKey: "abc") == nil)
    }

    @Test func noCacheDirectoryWithoutHomeOrXDG() {
        #expect(CloudTokenDiskCache(environment: [:], logger: .silent) == nil)
    }

    private func permissions(_ path: String) throws -> Int {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        return (attributes[.posixPermissions] as? Int ?? -1) & 0o777
    }
}
