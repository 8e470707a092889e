#ifndef KO_CCURL_H
#define KO_CCURL_H
// libcurl's setopt/getinfo are variadic, which Swift cannot call; these typed
// wrappers are the only thing this shim adds.
#include <curl/curl.h>

CURLcode ko_curl_setopt_long(CURL *handle, CURLoption option, long value);
CURLcode ko_curl_setopt_string(CURL *handle, CURLoption option, const char *value);
CURLcode ko_curl_setopt_pointer(CURL *handle, CURLoption option, void *value);
CURLcode ko_curl_setopt_offset(CURL *handle, CURLoption option, curl_off_t value);
CURLcode ko_curl_getinfo_long(CURL *handle, CURLINFO info, long *value);

typedef size_t (*ko_curl_data_callback)(char *data, size_t size, size_t count, void *context);
CURLcode ko_curl_setopt_data_callback(CURL *handle, CURLoption option, ko_curl_data_callback callback);

typedef int (*ko_curl_progress_callback)(void *context, curl_off_t dltotal, curl_off_t dlnow,
                                         curl_off_t ultotal, curl_off_t ulnow);
CURLcode ko_curl_setopt_progress_callback(CURL *handle, ko_curl_progress_callback callback);

typedef int (*ko_curl_seek_callback)(void *context, curl_off_t offset, int origin);
CURLcode ko_curl_setopt_seek_callback(CURL *handle, ko_curl_seek_callback callback);

// Called once a connection is up (or reused), before the request goes out:
// returning CURL_PREREQFUNC_ABORT refuses the peer address.
typedef int (*ko_curl_prereq_callback)(void *context, char *primary_ip, char *local_ip, int primary_port,
                                       int local_port);
CURLcode ko_curl_setopt_prereq_callback(CURL *handle, ko_curl_prereq_callback callback);

#endif
