import KoHTTP
import CSecret
import COpenSSL
