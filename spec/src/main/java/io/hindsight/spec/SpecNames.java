package io.hindsight.spec;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** The YAML spelling of Hindsight's enums: lower case with dashes ({@code avro-confluent}). */
public final class SpecNames {

    private SpecNames() {}

    public static String yamlName(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static <E extends Enum<E>> Optional<E> fromYaml(Class<E> type, String text) {
        for (E e : type.getEnumConstants()) {
            if (yamlName(e).equals(text)) {
                return Optional.of(e);
            }
        }
        return Optional.empty();
    }

    static <E extends Enum<E>> List<String> yamlNames(Class<E> type) {
        return Arrays.stream(type.getEnumConstants()).map(SpecNames::yamlName).toList();
    }

    static String join(Iterable<? extends Enum<?>> values) {
        StringBuilder out = new StringBuilder();
        for (Enum<?> v : values) {
            if (out.length() > 0) {
                out.append(", ");
            }
            out.append(yamlName(v));
        }
        return out.toString();
    }
}
