import KoHTTP
import CZlib
import CDeflate
import COpenSSL
