using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ChainInterop.Storage;

/// <summary>
/// Opens durable file block stores in one of the two storage modes of C5. Opening recovers the log: a torn tail
/// left by a crash is truncated (and logged), any other damage throws <see cref="StoreCorruptionException"/>.
/// </summary>
public static class FileStores
{
    private const string LoggerCategory = "ChainInterop.Storage.FileBlockStore";

    /// <summary>
    /// Physical isolation: a store with its own log in <c>options.Path/&lt;chainId&gt;/</c>. Give each chain its own
    /// <see cref="FileStoreOptions.Path"/> to put it on another disk or server.
    /// </summary>
    /// <param name="options">The settings (validated and copied).</param>
    /// <param name="chainId">The chain.</param>
    /// <param name="loggerFactory">Where log events go; none when null.</param>
    /// <param name="timeProvider">The clock of the <see cref="FileStoreDurability.Interval"/> timer; the system clock when null.</param>
    /// <returns>The open store; disposing it closes the log.</returns>
    /// <exception cref="ArgumentException">Invalid options or a default chain id.</exception>
    /// <exception cref="StoreCorruptionException">The log is damaged, or holds another chain's blocks.</exception>
    /// <exception cref="IOException">The log is already open or the OS failed.</exception>
    public static FileBlockStore OpenPhysical(FileStoreOptions options, ChainId chainId, ILoggerFactory? loggerFactory = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (chainId.IsDefault)
        {
            throw new ArgumentException("A store needs a chain id.", nameof(chainId));
        }

        options.Validate();
        var copy = options.Clone();
        var directory = Path.Combine(Path.GetFullPath(copy.Path), chainId.Value);
        var log = FileLog.Open(directory, copy, CreateLogger(loggerFactory), timeProvider ?? TimeProvider.System);
        var foreign = log.Chains.FirstOrDefault(c => c != chainId);
        if (!foreign.IsDefault)
        {
            log.DisposeAsync().AsTask().GetAwaiter().GetResult();
            throw new StoreCorruptionException(directory, 0, $"the log of {chainId} holds blocks of {foreign}");
        }

        return new FileBlockStore(log, chainId, ownsLog: true);
    }

    /// <summary>Logical isolation: one log in <c>options.Path/</c> whose areas hold several chains.</summary>
    /// <param name="options">The settings (validated and copied).</param>
    /// <param name="loggerFactory">Where log events go; none when null.</param>
    /// <param name="timeProvider">The clock of the <see cref="FileStoreDurability.Interval"/> timer; the system clock when null.</param>
    /// <returns>The open logical store.</returns>
    /// <exception cref="ArgumentException">Invalid options.</exception>
    /// <exception cref="StoreCorruptionException">The log is damaged.</exception>
    /// <exception cref="IOException">The log is already open or the OS failed.</exception>
    public static LogicalFileStore OpenLogical(FileStoreOptions options, ILoggerFactory? loggerFactory = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var copy = options.Clone();
        var log = FileLog.Open(Path.GetFullPath(copy.Path), copy, CreateLogger(loggerFactory), timeProvider ?? TimeProvider.System);
        return new LogicalFileStore(log);
    }

    private static ILogger CreateLogger(ILoggerFactory? loggerFactory) =>
        loggerFactory?.CreateLogger(LoggerCategory) ?? NullLogger.Instance;
}
