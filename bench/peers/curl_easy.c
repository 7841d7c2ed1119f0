/* Peer client for the sync rows of the harness: libcurl's easy interface, one handle reused for
 * every request (its connection cache keeps the connection alive), the way a sequential C
 * program uses curl. Only c = 1 makes sense for a blocking client.
 *   curl_easy <get|stream|upload> <url> <n> <c=1> <h1|h2|h2c> <body_bytes>
 * Prints: RESULT ok= err= bytes= elapsed= cpu_user= cpu_sys=  (the request loop only) */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

static unsigned long long g_bytes;

static size_t on_data(char* data, size_t size, size_t count, void* user) {
    (void)data;
    (void)user;
    g_bytes += size * count;
    return size * count;
}

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static void cpu(double* user, double* sys) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    *user = ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6;
    *sys = ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

int main(int argc, char** argv) {
    if (argc < 6 || atol(argv[4]) != 1) {
        fprintf(stderr, "usage: %s <get|stream|upload> <url> <n> 1 <h1|h2|h2c> [body_bytes]\n",
                argv[0]);
        return 2;
    }
    const char *mode = argv[1], *url = argv[2], *proto = argv[5];
    long n = atol(argv[3]);
    size_t body_bytes = argc > 6 ? strtoull(argv[6], 0, 10) : 0;
    int upload = !strcmp(mode, "upload");
    long version = !strcmp(proto, "h1")    ? CURL_HTTP_VERSION_1_1
                   : !strcmp(proto, "h2c") ? CURL_HTTP_VERSION_2_PRIOR_KNOWLEDGE
                                           : CURL_HTTP_VERSION_2TLS;
    char* body = NULL;
    if (upload) {
        body = malloc(body_bytes ? body_bytes : 1);
        memset(body, 'x', body_bytes);
    }

    curl_global_init(CURL_GLOBAL_DEFAULT);
    CURL* easy = curl_easy_init();
    struct curl_slist* headers = curl_slist_append(NULL, "Expect:");
    curl_easy_setopt(easy, CURLOPT_URL, url);
    curl_easy_setopt(easy, CURLOPT_HTTP_VERSION, version);
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, 0L);
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy, CURLOPT_TIMEOUT, 120L);
    curl_easy_setopt(easy, CURLOPT_BUFFERSIZE, 256L * 1024);
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers);
    if (upload) {
        curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_bytes);
        curl_easy_setopt(easy, CURLOPT_POSTFIELDS, body);
    }

    long ok = 0, err = 0;
    double user0, sys0, user1, sys1;
    cpu(&user0, &sys0);
    double start = now();
    for (long i = 0; i < n; ++i) {
        long status = 0;
        CURLcode rc = curl_easy_perform(easy);
        curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
        if (rc == CURLE_OK && status == 200) {
            ++ok;
        } else {
            if (err++ == 0)
                fprintf(stderr, "request failed: %s (%ld)\n", curl_easy_strerror(rc), status);
        }
    }
    double elapsed = now() - start;
    cpu(&user1, &sys1);
    printf("RESULT ok=%ld err=%ld bytes=%llu elapsed=%.6f cpu_user=%.6f cpu_sys=%.6f\n", ok, err,
           g_bytes, elapsed, user1 - user0, sys1 - sys0);
    curl_slist_free_all(headers);
    curl_easy_cleanup(easy);
    curl_global_cleanup();
    free(body);
    return err != 0;
}
