using System.ComponentModel;
using System.Diagnostics;

namespace Containers.Build;

/// <summary>What a child process did: its exit code and everything it wrote.</summary>
public sealed record ChildProcessResult(int ExitCode, string Output, string Errors);

/// <summary>A program that could not be started (not installed, not on PATH, not executable).</summary>
public sealed class ChildProcessNotStartedException(string program, Exception? inner = null)
    : Exception($"'{program}' could not be started: it is not installed or not on PATH.", inner)
{
    public string Program { get; } = program;
}

/// <summary>A program that failed while its output was being read; <see cref="Exception.InnerException"/> is what the reader made of the output.</summary>
public sealed class ChildProcessFailedException(string program, int exitCode, string errors, Exception inner)
    : Exception($"'{program}' failed (exit {exitCode}): {errors.Trim()}", inner)
{
    public string Program { get; } = program;
    public int ExitCode { get; } = exitCode;
    public string Errors { get; } = errors;
}

/// <summary>A program that did not finish within its time; it was killed, with its children.</summary>
public sealed class ChildProcessTimeoutException(string program, TimeSpan timeout)
    : Exception($"'{program}' did not finish within {timeout.TotalSeconds:0} s.")
{
    public string Program { get; } = program;
    public TimeSpan Timeout { get; } = timeout;
}

/// <summary>
/// The one way child processes are run (git, credential helpers, container engines): arguments as a list
/// (never a shell line), standard output and error read while it runs so a chatty program cannot block, a
/// timeout after which the process tree is killed, and the build's cancellation honoured.
/// </summary>
public static class ChildProcess
{
    /// <param name="writeInput">Writes standard input (then closed); null gives the program an empty one.</param>
    /// <param name="workingDirectory">Where it runs; null for the current directory.</param>
    /// <param name="readOutput">
    /// Reads standard output as it is written (an engine's save, too large to hold), instead of collecting it as text;
    /// what it leaves unread is drained. When it fails, the program is killed.
    /// </param>
    public static async Task<ChildProcessResult> RunAsync(string program, IEnumerable<string> arguments, TimeSpan timeout, CancellationToken cancellationToken,
        Func<Stream, CancellationToken, Task>? writeInput = null, string? workingDirectory = null, Func<Stream, CancellationToken, Task>? readOutput = null)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (workingDirectory is not null)
        {
            start.WorkingDirectory = workingDirectory;
        }
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        Process? process;
        try
        {
            process = Process.Start(start);
        }
        catch (Win32Exception e)
        {
            throw new ChildProcessNotStartedException(program, e);
        }
        if (process is null)
        {
            throw new ChildProcessNotStartedException(program);
        }

        using (process)
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(timeout);
            var output = readOutput is null ? process.StandardOutput.ReadToEndAsync(deadline.Token) : ReadStreamAsync(process.StandardOutput.BaseStream, readOutput, deadline.Token);
            var errors = process.StandardError.ReadToEndAsync(deadline.Token);
            var inputFailure = "";
            try
            {
                var input = new ChildInput(process.StandardInput.BaseStream);
                try
                {
                    if (writeInput is not null)
                    {
                        await writeInput(input, deadline.Token).ConfigureAwait(false);
                    }
                }
                catch (IOException e) when (input.Broken)
                {
                    // The program closed its input early (it failed, or took all it wanted): its exit code and words say why.
                    inputFailure = e.Message;
                }
                finally
                {
                    try
                    {
                        process.StandardInput.Close();
                    }
                    catch (IOException)
                    {
                    }
                }
                // Output first: a reader that fails must stop the program, which would otherwise wait on a full pipe.
                string outputText;
                try
                {
                    outputText = await output.ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException && readOutput is not null)
                {
                    // The reader found the output unreadable. A program that failed (and so wrote nothing, or half)
                    // says why on its standard error; that, not the reader's complaint, is the cause.
                    if (await ExitedAsync(process, ExitGrace).ConfigureAwait(false) && process.ExitCode != 0)
                    {
                        throw new ChildProcessFailedException(program, process.ExitCode, await errors.ConfigureAwait(false), e);
                    }
                    throw;
                }
                await process.WaitForExitAsync(deadline.Token).ConfigureAwait(false);
                var errorText = await errors.ConfigureAwait(false);
                return new ChildProcessResult(process.ExitCode, outputText, inputFailure.Length == 0 ? errorText : $"{errorText.TrimEnd()}\n{inputFailure}".Trim());
            }
            catch (OperationCanceledException)
            {
                TryKill(process);
                cancellationToken.ThrowIfCancellationRequested();
                throw new ChildProcessTimeoutException(program, timeout);
            }
            catch
            {
                // What was to be written failed on our side (a layer that cannot be read): the program must not
                // go on with half an input.
                TryKill(process);
                throw;
            }
        }
    }

    /// <summary>How long a program whose output could not be read is given to exit by itself and say why.</summary>
    private static readonly TimeSpan ExitGrace = TimeSpan.FromSeconds(2);

    private static async Task<bool> ExitedAsync(Process process, TimeSpan grace)
    {
        using var wait = new CancellationTokenSource(grace);
        try
        {
            await process.WaitForExitAsync(wait.Token).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private static async Task<string> ReadStreamAsync(Stream output, Func<Stream, CancellationToken, Task> readOutput, CancellationToken cancellationToken)
    {
        await readOutput(output, cancellationToken).ConfigureAwait(false);
        await output.CopyToAsync(Stream.Null, cancellationToken).ConfigureAwait(false);
        return "";
    }

    /// <summary>The program's standard input, remembering whether a write failed because the program closed it.</summary>
    private sealed class ChildInput(Stream pipe) : Stream
    {
        public bool Broken { get; private set; }

        public override void Write(byte[] buffer, int offset, int count) => Guard(() => pipe.Write(buffer, offset, count));

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            try
            {
                await pipe.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
            }
            catch (IOException)
            {
                Broken = true;
                throw;
            }
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
            => WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush() => Guard(pipe.Flush);

        public override async Task FlushAsync(CancellationToken cancellationToken)
        {
            try
            {
                await pipe.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (IOException)
            {
                Broken = true;
                throw;
            }
        }

        private void Guard(Action write)
        {
            try
            {
                write();
            }
            catch (IOException)
            {
                Broken = true;
                throw;
            }
        }

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }

    private static void TryKill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
        }
    }
}
