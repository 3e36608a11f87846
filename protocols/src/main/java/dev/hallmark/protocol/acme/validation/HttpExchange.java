package dev.hallmark.protocol.acme.validation;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * One bounded HTTP/1.1 GET over an open socket, just enough for http-01 (RFC 8555 §8.3): a status line, headers,
 * and for a 200 a body of at most {@link #MAX_BODY} bytes (chunked, Content-Length or until close).
 *
 * <p>Everything is capped (status line, header bytes and count, chunk-size lines, body), and every read runs under
 * the attempt's deadline: before each read the socket timeout is set to the time left, and the deadline timer
 * closes the socket if a server drips bytes slower than that (slowloris, T21). Not thread-safe; one per request.
 */
final class HttpExchange {
    /** Boulder reads 128 bytes; a little more lets an honest response with trailing whitespace through. */
    static final int MAX_BODY = 512;
    private static final int MAX_LINE = 8192;
    private static final int MAX_HEADER_BYTES = 16384;
    private static final int MAX_HEADERS = 100;

    /**
     * What came back.
     *
     * @param status      the HTTP status code
     * @param location    the Location header, or null
     * @param body        the body of a 200 (at most {@link #MAX_BODY} bytes), else empty
     * @param bodyTooLong whether a 200's body exceeded {@link #MAX_BODY} (the rest was not read)
     */
    record Response(int status, String location, byte[] body, boolean bodyTooLong) {
    }

    private HttpExchange() {
    }

    /**
     * Sends {@code GET target} and reads the response.
     *
     * @param where a label for details, such as the URL
     * @throws ValidationFailure {@code connection} on I/O errors, malformed or oversized responses and the deadline
     */
    static Response get(Socket socket, String host, String target, String where, AttemptContext ctx)
            throws ValidationFailure {
        ctx.phase("connection", "fetching " + where);
        try {
            String request = "GET " + target + " HTTP/1.1\r\n"
                    + "Host: " + host + "\r\n"
                    + "User-Agent: Hallmark-VA (ACME validation; RFC 8555)\r\n"
                    + "Accept: */*\r\n"
                    + "Connection: close\r\n\r\n";
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = new BufferedInputStream(new DeadlineStream(socket, ctx), 1024);
            return read(in, where);
        } catch (SocketTimeoutException e) {
            throw ctx.timedOut();
        } catch (IOException e) {
            throw new ValidationFailure("connection", "error fetching " + where + ": " + e.getMessage());
        }
    }

    private static Response read(InputStream in, String where) throws IOException, ValidationFailure {
        String statusLine = line(in, MAX_LINE, where);
        String[] parts = statusLine.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/1.") || !parts[1].matches("[1-9][0-9]{2}")) {
            throw new ValidationFailure("connection", "malformed HTTP status line from " + where + ": "
                    + ValidationFailure.quoted(statusLine, 64));
        }
        int status = Integer.parseInt(parts[1]);
        String location = null;
        long contentLength = -1;
        boolean chunked = false;
        int headerBytes = 0;
        for (int count = 0; ; count++) {
            String header = line(in, MAX_LINE, where);
            if (header.isEmpty()) {
                break;
            }
            headerBytes += header.length() + 2;
            if (count >= MAX_HEADERS || headerBytes > MAX_HEADER_BYTES) {
                throw new ValidationFailure("connection", "response headers from " + where + " are too large");
            }
            int colon = header.indexOf(':');
            if (colon <= 0) {
                continue;
            }
            String name = header.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = header.substring(colon + 1).trim();
            switch (name) {
                case "location" -> location = value;
                case "transfer-encoding" -> chunked = value.toLowerCase(Locale.ROOT).contains("chunked");
                case "content-length" -> contentLength = parseLength(value, where);
                default -> {
                    // Other headers do not matter to http-01.
                }
            }
        }
        if (status != 200) {
            return new Response(status, location, new byte[0], false);
        }
        if (!chunked && contentLength > MAX_BODY) {
            return new Response(status, location, new byte[0], true);
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        boolean tooLong = chunked ? readChunked(in, body, where)
                : copy(in, body, contentLength < 0 ? MAX_BODY + 1 : contentLength, contentLength >= 0, where);
        return new Response(status, location, body.toByteArray(), tooLong);
    }

    /** Reads a chunked body; returns true when it exceeds {@link #MAX_BODY}. */
    private static boolean readChunked(InputStream in, ByteArrayOutputStream body, String where)
            throws IOException, ValidationFailure {
        while (true) {
            String sizeLine = line(in, 64, where);
            int semicolon = sizeLine.indexOf(';');
            String hex = (semicolon >= 0 ? sizeLine.substring(0, semicolon) : sizeLine).trim();
            if (!hex.matches("[0-9a-fA-F]{1,8}")) {
                throw new ValidationFailure("connection", "malformed chunked body from " + where);
            }
            long size = Long.parseLong(hex, 16);
            if (size == 0) {
                return false; // trailers are not read: nothing after the body matters
            }
            if (body.size() + size > MAX_BODY) {
                return true;
            }
            copy(in, body, size, true, where);
            line(in, 2, where); // the CRLF after each chunk
        }
    }

    /** Copies up to {@code limit} bytes; returns true when more than {@link #MAX_BODY} arrived in total. */
    private static boolean copy(InputStream in, ByteArrayOutputStream body, long limit, boolean exact, String where)
            throws IOException, ValidationFailure {
        byte[] buffer = new byte[256];
        long left = limit;
        while (left > 0) {
            int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
            if (n < 0) {
                if (exact) {
                    throw new ValidationFailure("connection", "response body from " + where + " ended early");
                }
                break;
            }
            body.write(buffer, 0, n);
            left -= n;
            if (body.size() > MAX_BODY) {
                return true;
            }
        }
        return false;
    }

    private static long parseLength(String value, String where) throws ValidationFailure {
        if (!value.matches("[0-9]{1,18}")) {
            throw new ValidationFailure("connection", "malformed Content-Length from " + where + ": "
                    + ValidationFailure.quoted(value, 32));
        }
        return Long.parseLong(value);
    }

    /** Reads one CRLF- (or LF-) terminated line of at most {@code max} bytes, as ISO-8859-1. */
    private static String line(InputStream in, int max, String where) throws IOException, ValidationFailure {
        StringBuilder sb = new StringBuilder();
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new ValidationFailure("connection", "connection to " + where + " closed mid-response");
            }
            if (b == '\n') {
                int end = sb.length();
                return end > 0 && sb.charAt(end - 1) == '\r' ? sb.substring(0, end - 1) : sb.toString();
            }
            if (sb.length() >= max) {
                throw new ValidationFailure("connection", "response line from " + where + " is too long");
            }
            sb.append((char) b);
        }
    }

    /** Sets the socket timeout to the attempt's remaining time before every read. */
    private static final class DeadlineStream extends FilterInputStream {
        private final Socket socket;
        private final AttemptContext ctx;

        DeadlineStream(Socket socket, AttemptContext ctx) throws IOException {
            super(socket.getInputStream());
            this.socket = socket;
            this.ctx = ctx;
        }

        @Override
        public int read() throws IOException {
            arm();
            return super.read();
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            arm();
            return super.read(b, off, len);
        }

        private void arm() throws IOException {
            try {
                socket.setSoTimeout(ctx.remainingMillis());
            } catch (ValidationFailure e) {
                throw new SocketTimeoutException(e.getMessage());
            }
        }
    }
}
