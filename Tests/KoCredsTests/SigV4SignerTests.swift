import Foundation
import KoCrypto
import KoHTTP
import Testing
@testable import KoCreds
@testable import KoKeyring

/// The AWS Signature Version 4 test suite (public example key
/// `AKIDEXAMPLE`, region us-east-1, service `service`, 2015-08-30 12:36:00 UTC):
/// each case's canonical request, the hash ending its string to sign, and
/// its signature.
struct SigV4SignerTests {
    struct Vector: CustomStringConvertible, Sendable {
        var name: String
        var method = "GET"
        var path = "/"
        var query = ""
        var extraHeaders: [(name: String, value: String)] = []
        var body = ""
        var canonicalRequest: String
        var canonicalRequestHash: String
        var signature: String
        var description: String { name }
    }

    static let date = Date(timeIntervalSince1970: 1_440_938_160)
    static let unreserved = "-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
    static let formHash = "9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e"
    static let emptyHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    static let sessionToken = "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMic"
        + "RXmxfpSPfIeoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7"
        + "WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8FDrypNC9Y"
        + "jc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA=="
    static let signer = SigV4Signer(
        credentials: AWSCredentials(accessKeyID: "AKIDEXAMPLE",
                                    secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"),
        region: "us-east-1", service: "service")

    static func plainRequest(_ method: String, _ uri: String, _ query: String = "",
                             headers: String = "host:example.amazonaws.com\nx-amz-date:20150830T123600Z\n",
                             signed: String = "host;x-amz-date", payload: String = emptyHash) -> String {
        "\(method)\n\(uri)\n\(query)\n\(headers)\n\(signed)\n\(payload)"
    }

    static let vectors: [Vector] = [
        Vector(name: "get-vanilla", canonicalRequest: plainRequest("GET", "/"),
               canonicalRequestHash: "bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63",
               signature: "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"),
        Vector(name: "post-vanilla", method: "POST", canonicalRequest: plainRequest("POST", "/"),
               canonicalRequestHash: "553f88c9e4d10fc9e109e2aeb65f030801b70c2f6468faca261d401ae622fc87",
               signature: "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"),
        Vector(name: "get-vanilla-query-order-key-case", query: "Param2=value2&Param1=value1",
               canonicalRequest: plainRequest("GET", "/", "Param1=value1&Param2=value2"),
               canonicalRequestHash: "816cd5b414d056048ba4f7c5386d6e0533120fb1fcfa93762cf0fc39e2cf19e0",
               signature: "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"),
        Vector(name: "get-vanilla-query-order-key", query: "Param1=value2&Param1=Value1",
               canonicalRequest: plainRequest("GET", "/", "Param1=Value1&Param1=value2"),
               canonicalRequestHash: "704b4cef673542d84cdff252633f065e8daeba5f168b77116f8b1bcaf3d38f89",
               signature: "eedbc4e291e521cf13422ffca22be7d2eb8146eecf653089df300a15b2382bd1"),
        Vector(name: "get-vanilla-query-unreserved", query: unreserved + "=" + unreserved,
               canonicalRequest: plainRequest("GET", "/", unreserved + "=" + unreserved),
               canonicalRequestHash: "c30d4703d9f799439be92736156d47ccfb2d879ddf56f5befa6d1d6aab979177",
               signature: "9c3e54bfcdf0b19771a7f523ee5669cdf59bc7cc0884027167c21bb143a40197"),
        Vector(name: "get-vanilla-utf8-query", query: "\u{1234}=bar",
               canonicalRequest: plainRequest("GET", "/", "%E1%88%B4=bar"),
               canonicalRequestHash: "eb30c5bed55734080471a834cc727ae56beb50e5f39d1bff6d0d38cb192a7073",
               signature: "2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04"),
        Vector(name: "get-unreserved", path: "/" + unreserved, canonicalRequest: plainRequest("GET", "/" + unreserved),
               canonicalRequestHash: "6a968768eefaa713e2a6b16b589a8ea192661f098f37349f4e2c0082757446f9",
               signature: "07ef7494c76fa4850883e2b006601f940f8a34d404d0cfa977f52a65bbf5f24f"),
        Vector(name: "get-space", path: "/example space/", canonicalRequest: plainRequest("GET", "/example%20space/"),
               canonicalRequestHash: "63ee75631ed7234ae61b5f736dfc7754cdccfedbff4b5128a915706ee9390d86",
               signature: "652487583200325589f1fba4c7e578f72c47cb61beeca81406b39ddec1366741"),
        Vector(name: "get-slashes", path: "//example//", canonicalRequest: plainRequest("GET", "/example/"),
               canonicalRequestHash: "cb96b4ac96d501f7c5c15bc6d67b3035061cfced4af6585ad927f7e6c985c015",
               signature: "9a624bd73a37c9a373b5312afbebe7a714a789de108f0bdfe846570885f57e84"),
        Vector(name: "get-slash-pointless-dot", path: "/./example", canonicalRequest: plainRequest("GET", "/example"),
               canonicalRequestHash: "214d50c111a8edc4819da6a636336472c916b5240f51e9a51b5c3305180cf702",
               signature: "ef75d96142cf21edca26f06005da7988e4f8dc83a165a80865db7089db637ec5"),
        Vector(name: "get-relative-relative", path: "/example1/example2/../..",
               canonicalRequest: plainRequest("GET", "/"),
               canonicalRequestHash: "bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63",
               signature: "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"),
        Vector(name: "get-header-value-trim",
               extraHeaders: [(name: "My-Header1", value: " value1"), (name: "My-Header2", value: " \"a   b   c\"")],
               canonicalRequest: plainRequest("GET", "/", headers: "host:example.amazonaws.com\nmy-header1:value1\n"
                                                  + "my-header2:\"a b c\"\nx-amz-date:20150830T123600Z\n",
                                              signed: "host;my-header1;my-header2;x-amz-date"),
               canonicalRequestHash: "a726db9b0df21c14f559d0a978e563112acb1b9e05476f0a6a1c7d68f28605c7",
               signature: "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736"),
        Vector(name: "get-header-key-duplicate",
               extraHeaders: [(name: "My-Header1", value: "value2"), (name: "My-Header1", value: "value2"),
                              (name: "My-Header1", value: "value1")],
               canonicalRequest: plainRequest("GET", "/", headers: "host:example.amazonaws.com\n"
                                                  + "my-header1:value2,value2,value1\nx-amz-date:20150830T123600Z\n",
                                              signed: "host;my-header1;x-amz-date"),
               canonicalRequestHash: "dc7f04a3abfde8d472b0ab1a418b741b7c67174dad1551b4117b15527fbe966c",
               signature: "c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea"),
        // The suite's .creq for this case lists content-length, which its
        // .sts and .authz do not sign; the signed-header list of .authz is
        // the one its published hash and signature agree with.
        Vector(name: "post-x-www-form-urlencoded", method: "POST",
               extraHeaders: [(name: "Content-Type", value: "application/x-www-form-urlencoded")],
               body: "Param1=value1",
               canonicalRequest: plainRequest("POST", "/",
                                              headers: "content-type:application/x-www-form-urlencoded\n"
                                                  + "host:example.amazonaws.com\nx-amz-date:20150830T123600Z\n",
                                              signed: "content-type;host;x-amz-date",
                                              payload: formHash),
               canonicalRequestHash: "42a5e5bb34198acb3e84da4f085bb7927f2bc277ca766e6d19c73c2154021281",
               signature: "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a"),
        Vector(name: "post-sts-header-before", method: "POST",
               extraHeaders: [(name: "X-Amz-Security-Token", value: sessionToken)],
               canonicalRequest: plainRequest("POST", "/", headers: "host:example.amazonaws.com\n"
                                                  + "x-amz-date:20150830T123600Z\n"
                                                  + "x-amz-security-token:\(sessionToken)\n",
                                              signed: "host;x-amz-date;x-amz-security-token"),
               canonicalRequestHash: "c237e1b440d4c63c32ca95b5b99481081cb7b13c7e40434868e71567c1a882f6",
               signature: "85d96828115b5dc0cfc3bd16ad9e210dd772bbebba041836c64533a82be05ead"),
    ]

    @Test(arguments: vectors)
    func reproducesThePublishedTestSuite(_ vector: Vector) {
        let headers = [(name: "Host", value: "example.amazonaws.com")] + vector.extraHeaders
            + [(name: "X-Amz-Date", value: "20150830T123600Z")]
        let payloadHash = hexOfSHA256(vector.body)
        let result = Self.signer.sign(method: vector.method, path: vector.path, query: vector.query,
                                      headers: headers, payloadHash: payloadHash, date: Self.date)
        #expect(result.canonicalRequest == vector.canonicalRequest)
        #expect(result.stringToSign == "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n"
            + vector.canonicalRequestHash)
        #expect(result.signature == vector.signature)
    }

    @Test func signingARequestAddsTheHeadersOfTheGetVanillaCase() {
        var request = HTTPRequest(method: "GET", url: "https://example.amazonaws.com/")
        Self.signer.sign(&request, payload: [], date: Self.date)
        let headers = Dictionary(request.headers.map { ($0.name.lowercased(), $0.value) }, uniquingKeysWith: { $1 })
        #expect(headers["host"] == "example.amazonaws.com")
        #expect(headers["x-amz-date"] == "20150830T123600Z")
        #expect(headers["authorization"] == "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/"
            + "aws4_request, SignedHeaders=host;x-amz-date, "
            + "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31")
    }

    @Test func temporaryCredentialsSignTheirSessionToken() {
        var signer = Self.signer
        signer.credentials.sessionToken = Self.sessionToken
        var request = HTTPRequest(method: "POST", url: "https://example.amazonaws.com:443/")
        signer.sign(&request, payload: [], date: Self.date)
        let authorization = request.headers.first { $0.name == "Authorization" }?.value ?? ""
        #expect(request.headers.contains { $0.name == "X-Amz-Security-Token" && $0.value == Self.sessionToken })
        #expect(authorization.hasSuffix("SignedHeaders=host;x-amz-date;x-amz-security-token, "
            + "Signature=85d96828115b5dc0cfc3bd16ad9e210dd772bbebba041836c64533a82be05ead"))
    }

    @Test func hostKeepsANonDefaultPortAndDropsTheDefaultOne() {
        #expect(SigV4Signer.splitURL("http://127.0.0.1:5000/?a=b").host == "127.0.0.1:5000")
        #expect(SigV4Signer.splitURL("http://127.0.0.1:5000/?a=b").query == "a=b")
        #expect(SigV4Signer.splitURL("https://api.ecr.us-east-1.amazonaws.com:443").host
            == "api.ecr.us-east-1.amazonaws.com")
        #expect(SigV4Signer.splitURL("https://api.ecr.us-east-1.amazonaws.com:443").path == "/")
    }

    private func hexOfSHA256(_ text: String) -> String {
        hexString(MessageDigest.sha256(of: Array(text.utf8)))
    }
}
