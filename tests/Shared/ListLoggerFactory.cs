using Microsoft.Extensions.Logging;

namespace ChainInterop.Testing;

/// <summary>Collects log events so tests can assert on warnings.</summary>
internal sealed class ListLoggerFactory : ILoggerFactory, ILogger
{
    public List<(LogLevel Level, EventId Id, string Message)> Events { get; } = [];

    public ILogger CreateLogger(string categoryName) => this;

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        lock (Events)
        {
            Events.Add((logLevel, eventId, formatter(state, exception)));
        }
    }

    public void Dispose()
    {
    }
}
