package io.hindsight.cli;

import io.hindsight.demo.Demo;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code ./hindsight demo [--days N] [--per-hour N]}. */
@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        versionProvider = Hindsight.Version.class,
        description =
                "Run the embedded default: a Kafka broker, a schema registry, Flink with RocksDB"
                        + " and a local Iceberg warehouse, fed by a simulated fraud model.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            Hindsight.EXIT_OK_TEXT,
            Hindsight.EXIT_FAILED_TEXT,
            Hindsight.EXIT_USAGE_TEXT
        })
final class DemoCommand implements Callable<Integer> {

    @ParentCommand Hindsight cli;

    @Option(
            names = "--days",
            paramLabel = "N",
            defaultValue = "90",
            converter = Arguments.PositiveInt.class,
            description = "simulated days of traffic (default: ${DEFAULT-VALUE})")
    int days;

    @Option(
            names = "--per-hour",
            paramLabel = "N",
            defaultValue = "60",
            converter = Arguments.PositiveInt.class,
            description = "predictions per simulated hour (default: ${DEFAULT-VALUE})")
    int perHour;

    @Override
    public Integer call() throws Exception {
        return Demo.run(days, perHour, cli.out);
    }
}
