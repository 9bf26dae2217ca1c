package dev.switchboard.standalone.cli;

import dev.switchboard.config.ConfigurationException;
import dev.switchboard.standalone.StartupFailure;
import java.io.IOException;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;

/**
 * The commands of {@code java -jar switchboard-standalone.jar COMMAND} (docs/cli.md). Exit
 * statuses: 0 done, 2 bad usage or a bad setting (one line on stderr), 1 anything else.
 */
public final class CommandLine {

    static final String HELP = """
            Usage: java -jar switchboard-standalone.jar [COMMAND] [OPTIONS]

            Without a command, runs the server (settings: SWITCHBOARD_* environment variables,
            -Dswitchboard.* system properties or a SWITCHBOARD_CONFIG file; see docs/configuration.md).

            Commands:
              token          Mints a token signed with the configured secret, a private key, or the dev secret
                               --sub USER          the token's subject (required)
                               --channels A,B      channels it may open (default: any)
                               --roles R,S         roles, e.g. publisher, admin (default: none)
                               --ttl DURATION      lifetime: 90s, 15m, 1h, 7d or PT1H (default: 1h)
                               --key FILE          PEM private key (PKCS#8) to sign with RS256/ES256
                               --kid ID            key id for the token header (with a JWKS)
                               --claim NAME=VALUE  a string claim for destination rules; repeat
                                                   a name for a list
              check-config   Checks every setting as start-up does and prints the effective
                             configuration, secrets masked
              version        Prints the Switchboard, Tomcat and Java versions
              help, --help   Prints this help

            Exit status: 0 success, 2 bad usage or bad setting, 1 other failure.
            SWITCHBOARD_DEBUG=1 adds stack traces to error messages.
            Documentation: docs/cli.md""";

    /** The commands that take options, named in their usage errors. */
    private static final java.util.Set<String> COMMANDS = java.util.Set.of("token", "check-config");

    private CommandLine() {
    }

    /** Runs the command in {@code args}; returns the exit status. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        String command = args[0];
        List<String> rest = Arrays.asList(args).subList(1, args.length);
        StartupFailure failure = new StartupFailure(err, command.equals("check-config") ? "Configuration is invalid: "
                : "switchboard " + command + ": ");
        try {
            switch (command) {
                case "help", "--help", "-h" -> out.println(HELP);
                case "version", "--version" -> Version.print(out);
                case "token" -> TokenCommand.run(rest, out, err);
                case "check-config" -> {
                    return CheckConfigCommand.run(rest, out);
                }
                default -> throw new UsageException("unknown command '" + command + "'");
            }
            return 0;
        } catch (UsageException e) {
            err.println("switchboard" + (COMMANDS.contains(command) ? " " + command : "") + ": " + e.getMessage()
                    + "; see --help");
            return StartupFailure.BAD_SETTING;
        } catch (ConfigurationException e) {
            return failure.badSetting(e);
        } catch (RuntimeException | IOException e) {
            return failure.unexpected(e);
        }
    }
}
