//! A WASI 0.3 command for the harness's tests. Its first argument picks what it does (`hello` when there is
//! none); each case prints what the tests compare byte for byte, on the runner and on `wasmtime run`.

use std::future::{Future, poll_fn};
use std::pin::{Pin, pin};
use std::task::Poll;
use std::time::Duration;

use wasip3::cli::{environment, exit, stderr, stdin, stdout};
use wasip3::clocks::{monotonic_clock, system_clock};
use wasip3::filesystem::preopens;
use wasip3::filesystem::types::{Descriptor, DescriptorFlags, OpenFlags, PathFlags};
use wasip3::sockets::types::{IpAddressFamily, IpSocketAddress, Ipv4SocketAddress, TcpSocket};
use wasip3::wit_bindgen::StreamResult;
use wasip3::{random, wit_future, wit_stream};

struct Command;

wasip3::cli::command::export!(Command);

impl wasip3::exports::cli::run::Guest for Command {
    async fn run() -> Result<(), ()> {
        let args = environment::get_arguments();
        let rest = args.get(2..).unwrap_or_default();
        match args.get(1).map_or("hello", String::as_str) {
            "hello" => print(b"Hello, world!\n").await,
            "args" => print(lines(rest)).await,
            "env" => {
                let vars = environment::get_environment();
                print(lines(vars.iter().map(|(key, value)| format!("{key}={value}")))).await
            }
            "stdin" => {
                let (reader, done) = stdin::read_via_stream();
                let input = reader.collect().await;
                done.await.map_err(drop)?;
                print(input).await
            }
            "stderr" => write(stderr::write_via_stream, b"to stderr\n".to_vec()).await,
            "fs" => files(&rest[0]).await,
            "clocks" => clocks().await,
            "random" => randomness().await,
            "socket" => socket().await,
            "run-err" => Err(()),
            // `exit` does not return; the `Ok` after it only satisfies the type.
            "exit-ok" => {
                exit::exit(Ok(()));
                Ok(())
            }
            "exit-err" => {
                exit::exit(Err(()));
                Ok(())
            }
            "exit-code" => {
                exit::exit_with_code(rest[0].parse().map_err(drop)?);
                Ok(())
            }
            // Hostile: each should end within the runner's limits, with one line that names the cause.
            "deadlock" => {
                // Nobody will ever write this future: its writer is held until after the read.
                let (writer, reader) = wit_future::new(unit);
                let value = reader.await;
                drop(writer);
                print(format!("{value:?}\n")).await
            }
            "sleep" => {
                monotonic_clock::wait_for(3_600 * SECOND).await;
                Ok(())
            }
            "spawn-forever" => loop {
                wasip3::spawn_local(async { monotonic_clock::wait_for(3_600 * SECOND).await });
                wasip3::wit_bindgen::yield_async().await;
            },
            "streams-forever" => loop {
                // Kept alive, so that each one takes a handle in the host until the store's limit.
                std::mem::forget(wit_stream::new::<u8>());
                std::mem::forget(wit_future::new(unit));
            },
            "flood" => {
                print(b"before\n").await?;
                let (mut writer, reader) = wit_stream::new();
                let _done = stdout::write_via_stream(reader);
                loop {
                    if !writer.write_all(vec![b'x'; 4096]).await.is_empty() {
                        return Err(());
                    }
                }
            }
            "zero-writes" => {
                let (mut writer, reader) = wit_stream::new();
                let _done = stdout::write_via_stream(reader);
                loop {
                    writer.write(Vec::new()).await;
                }
            }
            "cancel" => cancel(&rest[0]).await,
            "drop-ends" => drop_ends().await,
            other => {
                write(
                    stderr::write_via_stream,
                    format!("unknown case `{other}`\n").into_bytes(),
                )
                .await?;
                Err(())
            }
        }
    }
}

const SECOND: u64 = 1_000_000_000;

/// A future's payload must be a type that some WASI function passes in a future; stdout's result is one.
type Unit = Result<(), wasip3::cli::types::ErrorCode>;

fn unit() -> Unit {
    Ok(())
}

fn lines<T: AsRef<str>>(items: impl IntoIterator<Item = T>) -> String {
    items.into_iter().map(|item| format!("{}\n", item.as_ref())).collect()
}

async fn print(bytes: impl Into<Vec<u8>>) -> Result<(), ()> {
    write(stdout::write_via_stream, bytes.into()).await
}

/// Writes all of `bytes` to a stream that `start` hands to the host (stdout, stderr, a file), then ends it.
async fn write<E: 'static>(
    start: impl FnOnce(wasip3::wit_bindgen::StreamReader<u8>) -> wasip3::wit_bindgen::FutureReader<Result<(), E>>,
    bytes: Vec<u8>,
) -> Result<(), ()> {
    let (mut writer, reader) = wit_stream::new();
    let done = start(reader);
    let unwritten = writer.write_all(bytes).await;
    // Ending the stream lets the host finish, and its future resolve.
    drop(writer);
    match (unwritten.is_empty(), done.await) {
        (true, Ok(())) => Ok(()),
        _ => Err(()),
    }
}

/// Writes, stats, renames, reads back and lists in the preopened directory `dir`.
async fn files(dir: &str) -> Result<(), ()> {
    let Some((root, _)) = preopens::get_directories().into_iter().find(|(_, name)| name == dir) else {
        return print(format!("no preopen named {dir}\n")).await;
    };
    let open = |path: &'static str, flags: OpenFlags, access: DescriptorFlags| {
        root.open_at(PathFlags::empty(), path.to_owned(), flags, access)
    };
    let file = match open("a.txt", OpenFlags::CREATE | OpenFlags::TRUNCATE, DescriptorFlags::WRITE).await {
        Ok(file) => file,
        Err(code) => return print(format!("open a.txt for writing: {code:?}\n")).await,
    };
    write(|data| file.write_via_stream(data, 0), b"hello, file\n".to_vec()).await?;
    let size = file.stat().await.map_err(drop)?.size;
    drop(file);
    root.rename_at("a.txt".to_owned(), &root, "b.txt".to_owned())
        .await
        .map_err(drop)?;
    let file: Descriptor = open("b.txt", OpenFlags::empty(), DescriptorFlags::READ)
        .await
        .map_err(drop)?;
    let (reader, done) = file.read_via_stream(0);
    let contents = reader.collect().await;
    done.await.map_err(drop)?;
    let (entries, done) = root.read_directory();
    let mut names: Vec<String> = entries.collect().await.into_iter().map(|entry| entry.name).collect();
    done.await.map_err(drop)?;
    names.sort();
    let contents = String::from_utf8_lossy(&contents);
    print(format!(
        "wrote a.txt: {size} bytes\nrenamed to b.txt, read: {contents}entries: {}\n",
        names.join(" ")
    ))
    .await
}

async fn clocks() -> Result<(), ()> {
    let start = monotonic_clock::now();
    monotonic_clock::wait_for(20_000_000).await;
    let waited = Duration::from_nanos(monotonic_clock::now() - start);
    // 2020-01-01 in seconds since the epoch: the wall clock is set, whatever the time zone.
    let wall = system_clock::now().seconds > 1_577_836_800;
    print(format!(
        "waited at least 20ms: {}\nwall clock after 2020: {wall}\n",
        waited >= Duration::from_millis(20)
    ))
    .await
}

async fn randomness() -> Result<(), ()> {
    let (a, b) = (
        random::random::get_random_bytes(16),
        random::random::get_random_bytes(16),
    );
    let seed = random::insecure_seed::get_insecure_seed();
    print(format!(
        "16 bytes: {}\ntwo draws differ: {}\nseed: {} values\n",
        a.len() == 16,
        a != b,
        [seed.0, seed.1].len()
    ))
    .await
}

/// Binds a TCP socket to 127.0.0.1 on a free port: refused unless the host grants the network.
async fn socket() -> Result<(), ()> {
    let socket = match TcpSocket::create(IpAddressFamily::Ipv4) {
        Ok(socket) => socket,
        Err(code) => return print(format!("create a TCP socket: {code:?}\n")).await,
    };
    let address = IpSocketAddress::Ipv4(Ipv4SocketAddress {
        port: 0,
        address: (127, 0, 0, 1),
    });
    match socket.bind(address) {
        Ok(()) => print(b"bound 127.0.0.1\n").await,
        Err(code) => print(format!("bind 127.0.0.1: {code:?}\n")).await,
    }
}

/// Starts reads of stdin and 1 MiB writes to a file in the preopened directory `dir`, and cancels each that is
/// still in flight after its first poll: a read waits for input that the tests never send, and the host takes a
/// large write in several goes.
async fn cancel(dir: &str) -> Result<(), ()> {
    let Some((root, _)) = preopens::get_directories().into_iter().find(|(_, name)| name == dir) else {
        return print(format!("no preopen named {dir}\n")).await;
    };
    let file = root
        .open_at(
            PathFlags::empty(),
            "big".to_owned(),
            OpenFlags::CREATE,
            DescriptorFlags::WRITE,
        )
        .await
        .map_err(drop)?;
    let (mut output, reader) = wit_stream::new();
    let _output_done = file.write_via_stream(reader, 0);
    let (mut input, _input_done) = stdin::read_via_stream();
    let mut input_open = true;
    for _ in 0..100 {
        if input_open {
            let mut read = pin!(input.read(Vec::with_capacity(64)));
            match poll_once(read.as_mut()).await {
                None => drop(read.as_mut().cancel()),
                Some((result, _)) => input_open = result != StreamResult::Dropped,
            }
        }
        let mut write = pin!(output.write(vec![b'y'; 1 << 20]));
        if poll_once(write.as_mut()).await.is_none() {
            drop(write.as_mut().cancel());
        }
    }
    print(b"cancelled\n").await
}

/// Polls `future` once: its output if it was ready. A pending one is left in flight.
async fn poll_once<F: Future + ?Sized>(mut future: Pin<&mut F>) -> Option<F::Output> {
    poll_fn(|cx| match future.as_mut().poll(cx) {
        Poll::Ready(output) => Poll::Ready(Some(output)),
        Poll::Pending => Poll::Ready(None),
    })
    .await
}

/// Drops one end of a stream or a future at each point where a guest can: before, during and after the host
/// uses the other.
async fn drop_ends() -> Result<(), ()> {
    // The reader given to stdout, the writer dropped before writing anything.
    let (writer, reader) = wit_stream::new::<u8>();
    let done = stdout::write_via_stream(reader);
    drop(writer);
    let _ = done.await;
    // stdout's future dropped before the stream ends, then the stream written and ended.
    let (mut writer, reader) = wit_stream::new();
    drop(stdout::write_via_stream(reader));
    let _ = writer.write_all(b"after the future was dropped\n".to_vec()).await;
    drop(writer);
    // stdin's reader dropped unread, its future awaited.
    let (reader, done) = stdin::read_via_stream();
    drop(reader);
    let _ = done.await;
    // stdin's future dropped first, then its reader.
    let (reader, done) = stdin::read_via_stream();
    drop(done);
    drop(reader);
    // A stream and a future with no host involved: each end dropped before the other is used.
    let (writer, reader) = wit_stream::new::<u8>();
    drop(reader);
    drop(writer);
    let (writer, reader) = wit_future::new(unit);
    drop(writer);
    drop(reader);
    print(b"dropped every end\n").await
}
