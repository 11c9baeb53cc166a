package io.hindsight.iceberg;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.iceberg.types.Types.NestedField;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The README's column lists stay in step with the tables' schemas. */
class ReadmeTablesTest {

    @ParameterizedTest
    @EnumSource(HindsightTable.class)
    void readmeListsEveryColumnWithTypeAndNullability(HindsightTable table) throws Exception {
        List<String> lines = Files.readAllLines(Path.of("README.md"));
        int start = lines.indexOf("### " + table.defaultTableName());
        assertThat(start).as("README section for %s", table).isNotNegative();

        List<String> documented = new ArrayList<>();
        for (int i = start + 1; i < lines.size() && !lines.get(i).startsWith("#"); i++) {
            String line = lines.get(i);
            if (line.startsWith("- `")) {
                documented.add(line.substring(0, line.indexOf(" — ")));
            }
        }
        assertThat(lines.get(start + 2))
                .startsWith("Partitioned by `day(" + table.partitionColumn() + ")`.");

        List<String> expected =
                table.schema().columns().stream()
                        .map(
                                (NestedField c) ->
                                        String.format(
                                                "- `%s` %s, %s",
                                                c.name(),
                                                c.type(),
                                                c.isOptional() ? "optional" : "required"))
                        .toList();
        assertThat(documented).containsExactlyElementsOf(expected);
    }
}
