package dev.hallmark.api;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Content negotiation on {@code Accept} (RFC 9110 section 12.5.1): for each media type the resource offers, the
 * most specific matching range gives its quality; the best positive quality wins and ties go to the server's
 * order. No header, or an empty one, accepts the first offer. Ranges that do not parse are ignored.
 */
final class AcceptHeader {
    private static final int MAX_RANGES = 32;

    private AcceptHeader() {
    }

    /**
     * The offer to answer with, or empty when the client accepts none of them (406).
     *
     * @param header the {@code Accept} value, or null
     * @param offers lower-case media types, in the server's preference order
     */
    static Optional<String> choose(String header, List<String> offers) {
        if (header == null || header.isBlank()) {
            return Optional.of(offers.get(0));
        }
        List<Range> ranges = parse(header);
        if (ranges.isEmpty()) {
            return Optional.of(offers.get(0));
        }
        String best = null;
        double bestQ = 0;
        for (String offer : offers) {
            double q = quality(offer, ranges);
            if (q > bestQ) {
                best = offer;
                bestQ = q;
            }
        }
        return Optional.ofNullable(best);
    }

    private record Range(String type, String subtype, double q) {
        int specificity() {
            return type.equals("*") ? 0 : subtype.equals("*") ? 1 : 2;
        }

        boolean matches(String offerType, String offerSubtype) {
            return (type.equals("*") || type.equals(offerType)) && (subtype.equals("*") || subtype.equals(offerSubtype));
        }
    }

    private static double quality(String offer, List<Range> ranges) {
        int slash = offer.indexOf('/');
        String type = offer.substring(0, slash);
        String subtype = offer.substring(slash + 1);
        Range chosen = null;
        for (Range r : ranges) {
            if (r.matches(type, subtype) && (chosen == null || r.specificity() > chosen.specificity())) {
                chosen = r;
            }
        }
        return chosen == null ? 0 : chosen.q();
    }

    private static List<Range> parse(String header) {
        String[] parts = header.split(",", MAX_RANGES + 1);
        List<Range> out = new java.util.ArrayList<>();
        for (int i = 0; i < Math.min(parts.length, MAX_RANGES); i++) {
            String[] pieces = parts[i].split(";");
            String mediaRange = pieces[0].trim().toLowerCase(Locale.ROOT);
            int slash = mediaRange.indexOf('/');
            if (slash <= 0 || slash == mediaRange.length() - 1 || mediaRange.indexOf('/', slash + 1) >= 0) {
                continue;
            }
            String type = mediaRange.substring(0, slash);
            String subtype = mediaRange.substring(slash + 1);
            if (type.equals("*") && !subtype.equals("*")) {
                continue;
            }
            double q = 1.0;
            boolean valid = true;
            for (int p = 1; p < pieces.length; p++) {
                String param = pieces[p].trim();
                if (param.toLowerCase(Locale.ROOT).startsWith("q=")) {
                    q = qValue(param.substring(2).trim());
                    valid = q >= 0;
                }
            }
            if (valid) {
                out.add(new Range(type, subtype, q));
            }
        }
        return out;
    }

    /** A qvalue ({@code 0}, {@code 0.5}, {@code 1.000}); -1 when it is not one. */
    private static double qValue(String text) {
        if (!text.matches("0(\\.[0-9]{0,3})?|1(\\.0{0,3})?")) {
            return -1;
        }
        return Double.parseDouble(text);
    }
}
