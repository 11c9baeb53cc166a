package io.hindsight.cli;

import io.hindsight.rest.FlinkRestClient;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** The argument types of the command line, each with a message that says what is expected. */
final class Arguments {

    private Arguments() {}

    /** A whole number above zero: days, events per hour, parallelism. */
    static final class PositiveInt implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String text) {
            int n;
            try {
                n = Integer.parseInt(text.strip());
            } catch (NumberFormatException e) {
                throw new TypeConversionException(notPositive(text));
            }
            if (n <= 0) {
                throw new TypeConversionException(notPositive(text));
            }
            return n;
        }

        private static String notPositive(String text) {
            return "expected a positive whole number, not '" + text + "'";
        }
    }

    /** An ISO-8601 instant such as {@code 2026-01-01T00:00:00Z}. */
    static final class IsoInstant implements ITypeConverter<Instant> {
        @Override
        public Instant convert(String text) {
            try {
                return Instant.parse(text);
            } catch (DateTimeParseException e) {
                throw new TypeConversionException(
                        "expected an ISO-8601 instant such as 2026-01-01T00:00:00Z, not '"
                                + text
                                + "'");
            }
        }
    }

    /** The REST address of a Flink cluster: {@code http(s)://host[:port]}. */
    static final class ClusterUrl implements ITypeConverter<String> {
        @Override
        public String convert(String text) {
            if (!FlinkRestClient.isHttpUrl(text)) {
                throw new TypeConversionException(
                        "expected the Flink REST address, http:// or https:// and a host, e.g."
                                + " http://localhost:8081, not '"
                                + io.hindsight.spec.SpecSecrets.maskUrl(text)
                                + "'");
            }
            return text;
        }
    }

    /** A Flink job id: 32 hexadecimal characters, as {@code submit} prints it. */
    static final class JobId implements ITypeConverter<String> {
        @Override
        public String convert(String text) {
            if (!text.matches("[0-9a-fA-F]{32}")) {
                throw new TypeConversionException(
                        "expected a Flink job id, 32 hexadecimal characters as ./hindsight submit"
                                + " prints it, not '"
                                + text
                                + "'");
            }
            return text.toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** Whether the text names a location by URI ({@code s3://...}, {@code file:///...}). */
    static boolean hasScheme(String text) {
        return text.matches("[A-Za-z][A-Za-z0-9+.-]*:/.*");
    }
}
