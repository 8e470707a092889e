/// An Azure Container Registry host and the Azure cloud it lives in.
///
/// Registry names are 5-50 alphanumerics (`<name>.azurecr.io`); the suffix
/// says the cloud, which picks the default Entra ID authority and the Azure
/// Resource Manager audience the ACR token exchange accepts.
package struct ACRRegistry: Equatable, Sendable {
    package var host: String
    package var cloud: AzureCloud

    package init?(host: String) {
        let pattern = #/[a-z0-9][a-z0-9-]*\.(azurecr\.(?:io|cn|us|microsoft\.scloud|eaglex\.ic\.gov))/#
        guard let match = host.wholeMatch(of: pattern),
              let cloud = AzureCloud(registrySuffix: String(match.1)) else { return nil }
        self.host = host
        self.cloud = cloud
    }
}

/// The Azure clouds, with their login authority and ARM audience.
package struct AzureCloud: Equatable, Sendable {
    package var authorityHost: String
    package var managementScope: String

    package init?(registrySuffix: String) {
        switch registrySuffix {
        case "azurecr.io":
            self.authorityHost = "https://login.microsoftonline.com"
            self.managementScope = "https://management.azure.com/.default"
        case "azurecr.cn":
            self.authorityHost = "https://login.chinacloudapi.cn"
            self.managementScope = "https://management.chinacloudapi.cn/.default"
        case "azurecr.us":
            self.authorityHost = "https://login.microsoftonline.us"
            self.managementScope = "https://management.usgovcloudapi.net/.default"
        case "azurecr.microsoft.scloud":
            self.authorityHost = "https://login.microsoftonline.microsoft.scloud"
            self.managementScope = "https://management.azure.microsoft.scloud/.default"
        case "azurecr.eaglex.ic.gov":
            self.authorityHost = "https://login.microsoftonline.eaglex.ic.gov"
            self.managementScope = "https://management.azure.eaglex.ic.gov/.default"
        default:
            return nil
        }
    }
}
