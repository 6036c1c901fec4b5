package dev.flotilla.reliability;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP/1.1 over a plain socket, so a test can send what a well-behaved client refuses to (bare CR in a header, a bad
 * request line, two Content-Lengths). Every request closes its connection; the response is read to the end.
 */
final class RawHttp {
    private RawHttp() {
    }

    /** A response; {@code status} is -1 when the server closed the connection without answering. */
    record Response(int status, Map<String, String> headers, String body) {
        String contentType() {
            return headers.getOrDefault("content-type", "");
        }
    }

    static Response send(URI server, byte[] request) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(server.getHost(), server.getPort()), 2000);
            socket.setSoTimeout(3_000);
            OutputStream out = socket.getOutputStream();
            try {
                out.write(request);
                out.flush();
            } catch (SocketException e) {
                // The server may answer (413) and close before it read an oversized body: read what it said.
            }
            return parse(readAll(socket.getInputStream()));
        } catch (java.net.SocketTimeoutException e) {
            return new Response(-2, Map.of(), "(no answer within the read timeout)");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The request with {@code Authorization: Bearer token} added after its request line. */
    static byte[] authorized(byte[] request, String token) {
        int line = 0;
        while (line < request.length - 1 && !(request[line] == '\r' && request[line + 1] == '\n')) {
            line++;
        }
        if (line >= request.length - 1) {
            return request; // no request line to put a header after: sent as it is
        }
        byte[] header = ("Authorization: Bearer " + token + "\r\n").getBytes(StandardCharsets.ISO_8859_1);
        byte[] all = new byte[request.length + header.length];
        System.arraycopy(request, 0, all, 0, line + 2);
        System.arraycopy(header, 0, all, line + 2, header.length);
        System.arraycopy(request, line + 2, all, line + 2 + header.length, request.length - line - 2);
        return all;
    }

    /** A request with the usual headers around a method, a raw target, extra header lines and a body. */
    static byte[] request(String method, String target, String extraHeaders, String contentType, byte[] body) {
        StringBuilder head = new StringBuilder()
                .append(method).append(' ').append(target).append(" HTTP/1.1\r\n")
                .append("Host: 127.0.0.1\r\n")
                .append("Connection: close\r\n")
                .append("Accept: application/json\r\n");
        if (contentType != null) {
            head.append("Content-Type: ").append(contentType).append("\r\n");
        }
        if (body != null) {
            head.append("Content-Length: ").append(body.length).append("\r\n");
        }
        head.append(extraHeaders).append("\r\n");
        byte[] h = head.toString().getBytes(StandardCharsets.ISO_8859_1);
        byte[] b = body == null ? new byte[0] : body;
        byte[] all = new byte[h.length + b.length];
        System.arraycopy(h, 0, all, 0, h.length);
        System.arraycopy(b, 0, all, h.length, b.length);
        return all;
    }

    /** Reads until the response is complete (by Content-Length or the last chunk) or the server closes. */
    private static byte[] readAll(InputStream in) throws IOException {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        byte[] chunk = new byte[8192];
        try {
            for (int n; (n = in.read(chunk)) >= 0; ) {
                buffer.write(chunk, 0, n);
                if (complete(buffer.toString(StandardCharsets.ISO_8859_1))) {
                    break;
                }
            }
        } catch (SocketException e) {
            // a reset after the response was sent: keep what arrived
        }
        return buffer.toByteArray();
    }

    private static boolean complete(String text) {
        int end = text.indexOf("\r\n\r\n");
        if (end < 0) {
            return false;
        }
        String head = text.substring(0, end).toLowerCase(Locale.ROOT);
        java.util.regex.Matcher length = java.util.regex.Pattern.compile("\r\ncontent-length:\\s*(\\d+)")
                .matcher(head);
        if (length.find()) {
            return text.length() - end - 4 >= Integer.parseInt(length.group(1));
        }
        if (head.contains("transfer-encoding: chunked")) {
            return text.endsWith("\r\n0\r\n\r\n");
        }
        return false;
    }

    private static Response parse(byte[] raw) {
        String text = new String(raw, StandardCharsets.ISO_8859_1);
        int end = text.indexOf("\r\n\r\n");
        if (!text.startsWith("HTTP/") || end < 0) {
            return new Response(-1, Map.of(), text);
        }
        String[] lines = text.substring(0, end).split("\r\n");
        int status = Integer.parseInt(lines[0].split(" ")[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) {
                headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
                            lines[i].substring(colon + 1).trim());
            }
        }
        String body = text.substring(end + 4);
        if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            body = dechunk(body);
        }
        return new Response(status, headers, new String(body.getBytes(StandardCharsets.ISO_8859_1),
                                                        StandardCharsets.UTF_8));
    }

    private static String dechunk(String body) {
        StringBuilder out = new StringBuilder();
        int pos = 0;
        while (pos < body.length()) {
            int lineEnd = body.indexOf("\r\n", pos);
            if (lineEnd < 0) {
                break;
            }
            int size = Integer.parseInt(body.substring(pos, lineEnd).split(";")[0].trim(), 16);
            if (size == 0) {
                break;
            }
            out.append(body, lineEnd + 2, Math.min(body.length(), lineEnd + 2 + size));
            pos = lineEnd + 2 + size + 2;
        }
        return out.toString();
    }
}
