// KoCreds users see the credential model, the keyring and the helper
// protocol as part of KoCreds, wherever those live.
@_exported import KoKeyring
