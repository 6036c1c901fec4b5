package dev.flotilla.reliability;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Generates malformed and hostile HTTP requests from a seed: the same seed gives the same requests, so a failure can
 * be replayed. Each request is raw bytes with a category, aimed at one create endpoint and one read endpoint of a
 * service.
 */
final class HostileRequests {
    /** The categories, in the order the generator cycles through them. */
    static final List<String> CATEGORIES = List.of("broken-json", "wrong-types", "huge-numbers", "deep-nesting",
            "oversized-body", "bad-path-variable", "header-injection", "bad-request-line", "wrong-media-or-method",
            "unknown-path");

    /** One generated request. */
    record Hostile(int index, String category, String target, byte[] bytes) {
        String preview() {
            String text = new String(bytes, 0, Math.min(bytes.length, 160), StandardCharsets.ISO_8859_1);
            return text.replace("\r", "\\r").replace("\n", "\\n").replace("\0", "\\0");
        }
    }

    /** Where to aim: a POST endpoint taking a JSON body, and a GET endpoint with one path variable. */
    record Target(String name, String createPath, String validBody, String readPathPrefix) {
    }

    private static final String[] BROKEN_JSON = {"{", "}", "[", "{\"name\":", "{\"name\":\"x\"", "nul", "tru",
        "{'name':'x'}", "{\"name\":\"x\",}", "\"unterminated", "{\"a\":1}{\"b\":2}", "\u0000\u0001\u0002",
        "{\"name\":\"\\uZZZZ\"}", "<xml/>", "{\"name\" \"x\"}", ",", "{\"name\":\"x\"]", "[1,2", "\uFEFF{",
        "{\"name\":\"x\u0000\"}"};
    private static final String[] WRONG_TYPES = {"[]", "42", "\"a string\"", "true", "null",
        "{\"name\":5,\"email\":[],\"priceCents\":\"abc\",\"initialStock\":{}}",
        "{\"name\":{\"a\":1},\"priceCents\":[1]}", "{\"priceCents\":\"12\",\"initialStock\":\"x\"}",
        "{\"userId\":[],\"items\":\"many\"}", "{\"userId\":\"u\",\"items\":[{\"productId\":1,\"quantity\":\"two\"}]}",
        "{\"items\":[null]}", "{\"items\":{}}"};
    private static final String[] HUGE_NUMBERS = {"1e999999", "123456789012345678901234567890", "-9e400",
        "NaN", "Infinity", "1" + "0".repeat(2000), "-" + "9".repeat(1200), "99999999999999999999",
        "1e19", "-1e30"};
    private static final String[] BAD_PATH_VARIABLES = {"%ZZ", "%", "%0", "%00", "..%2F..%2Fetc%2Fpasswd",
        "%2e%2e%2f%2e%2e", "%E2%82", "%C0%AF", "%0d%0aSet-Cookie:%20x=1", "<script>alert(1)</script>",
        "'%20OR%201=1--", "%FF%FE", "a%20b", "%7B%7D", "x".repeat(3000), "%25%32%65", "%u0000", "..;",
        "\u00e9\u00e8"};
    private static final String[] UNKNOWN_PATHS = {"/", "//", "/%2e%2e/%2e%2e/etc/passwd", "/admin", "/.env",
        "/v1", "/v9/products", "/api/v1/products/x/y/z", "/x?%%%", "/x?a=%ZZ", "/;jsessionid=1",
        "/WEB-INF/web.xml", "/" + "a/".repeat(500), "/\u00ff"};

    private HostileRequests() {
    }

    static List<Hostile> generate(long seed, int count, List<Target> targets) {
        Random random = new Random(seed);
        List<Hostile> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            String category = CATEGORIES.get(i % CATEGORIES.size());
            Target target = targets.get(random.nextInt(targets.size()));
            out.add(new Hostile(i, category, target.name(), bytes(category, target, random)));
        }
        return out;
    }

    private static byte[] bytes(String category, Target t, Random random) {
        String json = "application/json";
        return switch (category) {
            case "broken-json" -> random.nextBoolean()
                    ? post(t, pick(BROKEN_JSON, random))
                    : post(t, t.validBody().substring(0, 1 + random.nextInt(t.validBody().length() - 1)));
            case "wrong-types" -> post(t, pick(WRONG_TYPES, random));
            case "huge-numbers" -> {
                String number = pick(HUGE_NUMBERS, random);
                String body = t.validBody().replaceFirst(":\\s*\\d+", ":" + number);
                // A body without a number field gets one where an object is expected.
                yield post(t, body.equals(t.validBody()) ? number : body);
            }
            case "deep-nesting" -> {
                int depth = 1500 + random.nextInt(20_000);
                boolean arrays = random.nextBoolean();
                String open = arrays ? "[" : "{\"a\":";
                String close = arrays ? "]" : "}";
                yield post(t, open.repeat(depth) + "1" + close.repeat(depth));
            }
            case "oversized-body" -> {
                int size = 1024 * 1024 + 1 + random.nextInt(1024 * 1024);
                String filler = "\"" + "x".repeat(size) + "\"";
                yield post(t, "{\"name\":" + filler + "}");
            }
            case "bad-path-variable" -> RawHttp.request("GET", t.readPathPrefix() + pick(BAD_PATH_VARIABLES, random),
                                                        "", null, null);
            case "header-injection" -> headerInjection(t, random);
            case "bad-request-line" -> badRequestLine(t, random);
            case "wrong-media-or-method" -> switch (random.nextInt(5)) {
                case 0 -> RawHttp.request("POST", t.createPath(), "", "text/plain", utf8(t.validBody()));
                case 1 -> RawHttp.request("POST", t.createPath(), "", "application/xml", utf8("<a/>"));
                case 2 -> RawHttp.request("DELETE", t.createPath(), "", null, null);
                case 3 -> RawHttp.request("PATCH", t.readPathPrefix() + "1", "", json, utf8("{}"));
                default -> RawHttp.request("POST", t.createPath(), "", "application/json; charset=x-unknown-42",
                                           utf8(t.validBody()));
            };
            case "unknown-path" -> RawHttp.request(random.nextBoolean() ? "GET" : "POST",
                                                   pick(UNKNOWN_PATHS, random), "", json, utf8("{}"));
            default -> throw new IllegalStateException(category);
        };
    }

    /**
     * A read of an id that does not exist (404 when the headers are harmless, 400 when the server refuses them),
     * with one hostile header: the answer must not carry an injected header.
     */
    private static byte[] headerInjection(Target t, Random random) {
        String header = switch (random.nextInt(12)) {
            case 0 -> "X-Request-Id: abc\rInjected: yes\r\n";
            case 1 -> "X-Request-Id: abc\u0000Injected: yes\r\n";
            case 2 -> "NoColonHeader\r\n";
            case 3 -> "Bad Header: x\r\n";
            case 4 -> "X-Folded: a\r\n  Injected: b\r\n";
            case 5 -> "X-Huge: " + "h".repeat(20_000 + random.nextInt(20_000)) + "\r\n";
            case 6 -> "traceparent: 00-zzzz-yyyy-01\r\ntracestate: " + "=".repeat(600) + "\r\n";
            case 7 -> "X-Request-Id: " + "c".repeat(5000) + "\r\n";
            case 8 -> "X-Flotilla-Deadline: -99999999999999999999\r\nX-Flotilla-Caller: \u00ff\u00fe\r\n";
            case 9 -> "X-Request-Id: %0d%0aSet-Cookie: injected=1\r\n";
            case 10 -> "X-Many: 1\r\n".repeat(200);
            default -> ": empty-name\r\n";
        };
        return RawHttp.request("GET", t.readPathPrefix() + "no-such-id", header, null, null);
    }

    private static byte[] badRequestLine(Target t, Random random) {
        String line = switch (random.nextInt(10)) {
            case 0 -> "GET " + t.createPath() + " HTTP/9.9";
            case 1 -> "G\u0000T " + t.createPath() + " HTTP/1.1";
            case 2 -> "GET " + t.createPath();
            case 3 -> "GET  HTTP/1.1";
            case 4 -> "GET /a b c HTTP/1.1";
            case 5 -> "GET " + t.createPath() + " HTTP/1.1 extra";
            case 6 -> "GET /" + "p".repeat(10_000) + " HTTP/1.1";
            case 7 -> "GET http://evil.example" + t.createPath() + "x HTTP/1.1";
            case 8 -> "\u0016\u0003\u0001\u0002\u0000\u0001\u0000\u01fc\u0003\u0003";
            default -> "GET *x HTTP/1.1";
        };
        return (line + "\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
    }

    private static byte[] post(Target t, String body) {
        return RawHttp.request("POST", t.createPath(), "", "application/json", utf8(body));
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String pick(String[] options, Random random) {
        return options[random.nextInt(options.length)];
    }
}
