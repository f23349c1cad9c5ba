using System.Runtime.InteropServices;
using Kiosk.EdgeBroker.Hosting;
using Kiosk.EdgeBroker.Users;

BrokerCommand command;
try
{
    command = CommandLine.Parse(args);
}
catch (ArgumentException exception)
{
    Console.Error.WriteLine(exception.Message);
    Console.Error.WriteLine(CommandLine.Usage);
    return 2;
}

switch (command)
{
    case AddUser add:
        try
        {
            var store = new UserStore(add.DataDirectory, add.SecretsDirectory);
            store.AddUser(add.User);
            // The password itself is only in the secrets file, never on the console.
            Console.WriteLine($"added user={add.User.Name} role={add.User.Role.ToString().ToLowerInvariant()} secret={store.SecretPath(add.User.Name)}");
            return 0;
        }
        catch (Exception exception) when (exception is InvalidOperationException or ArgumentException or IOException)
        {
            Console.Error.WriteLine(exception.Message);
            return 1;
        }

    case RunBroker run:
        using (var stopping = new CancellationTokenSource())
        {
            void RequestStop(PosixSignalContext signal)
            {
                // Let us shut down cleanly (flush retained messages) instead of the runtime killing the process.
                signal.Cancel = true;
                stopping.Cancel();
            }

            using PosixSignalRegistration onInterrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, RequestStop);
            using PosixSignalRegistration onTerminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, RequestStop);

            await using var broker = new EdgeBroker(run.Options);
            try
            {
                await broker.StartAsync();
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or ArgumentException
                                                  or InvalidDataException or System.Net.Sockets.SocketException
                                                  or System.Security.Cryptography.CryptographicException)
            {
                // Typically a bridge file (password, CA, certificate, key) that is missing or unreadable, a damaged
                // broker CA in the secrets folder, or a port that is taken.
                Console.Error.WriteLine($"cannot start: {exception.Message}");
                return 2;
            }
            try
            {
                await Task.Delay(Timeout.Infinite, stopping.Token);
            }
            catch (OperationCanceledException)
            {
            }

            await broker.StopAsync();
            return 0;
        }

    default:
        return 2;
}
