<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_TW">
<context>
    <name>AnswerView</name>
    <message>
        <location filename="../../gui/widgets/answer_view.py" line="45"/>
        <source>✓ Good</source>
        <translation>✓ 好</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/answer_view.py" line="46"/>
        <source>Thumb up: a good answer</source>
        <translation>讚：好回答</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/answer_view.py" line="49"/>
        <source>✗ Bad</source>
        <translation>✗ 不好</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/answer_view.py" line="50"/>
        <source>Thumb down: a bad answer</source>
        <translation>倒讚：不好的回答</translation>
    </message>
</context>
<context>
    <name>BandsPanel</name>
    <message>
        <location filename="../../gui/insight/bands.py" line="28"/>
        <source>Reference band</source>
        <translation>參考帶</translation>
    </message>
    <message>
        <location filename="../../gui/insight/bands.py" line="30"/>
        <source>The shaded band on the loss graph is the validation loss a run of this size should reach after each number of tokens, predicted by a small scaling law (loss = E + A/N^alpha + B/D^beta, with N the parameters and D the tokens seen) fitted to this workspace&apos;s other pretraining runs with the same tokenizer, else to the Chinchilla lab&apos;s runs, else to the run&apos;s own first half. Its width is the fit&apos;s own scatter. Read the orange validation points against it: inside the band the run is on track; above it, it learns more slowly than its peers (check the learning rate, the batch size and the data); below it, it is ahead of them; validation loss rising again means diverging or over-fitting. The band judges the run selected in the Runs tab (the latest if none is), and is only as good as the runs behind it: a few short runs give a rough guide, not a promise.</source>
        <translation>損失圖上的陰影帶，是這個大小的模型在看過各個 token 數量後應達到的驗證損失；它由一條小型縮放定律（loss = E + A/N^alpha + B/D^beta，N 為參數量、D 為已看過的 token 數）預測，擬合的資料依序取自：本工作區中使用相同分詞器的其他預訓練執行，否則取 Chinchilla 實驗室的執行，再否則取本次執行自己的前半段。帶的寬度就是擬合本身的離散程度。請拿橘色的驗證點對照它：落在帶內，表示執行進度正常；高於帶，表示學得比同儕慢（請檢查學習率、批次大小與資料）；低於帶，表示領先同儕；驗證損失再度上升，則表示發散或過度擬合。此帶評判的是「執行」分頁中所選的執行（未選時為最新一次），而且它只和背後的執行一樣可靠：幾次短暫的執行只能提供粗略的參考，不是保證。</translation>
    </message>
    <message>
        <location filename="../../gui/insight/bands.py" line="49"/>
        <source>Half-width of the band in standard deviations of the fit&apos;s scatter</source>
        <translation>帶的半寬，以擬合離散程度的標準差為單位</translation>
    </message>
    <message>
        <location filename="../../gui/insight/bands.py" line="50"/>
        <source>Width (σ)</source>
        <translation>寬度（σ）</translation>
    </message>
    <message>
        <location filename="../../gui/insight/bands.py" line="53"/>
        <source>On track</source>
        <translation>進度正常</translation>
    </message>
    <message>
        <location filename="../../gui/insight/bands.py" line="54"/>
        <source>Too slow</source>
        <translation>太慢</translation>
    </message>
    <message>
        <location filename="../../gui/insight/bands.py" line="55"/>
        <source>Ahead of the band</source>
        <translation>領先參考帶</translation>
    </message>
    <message>
        <location filename="../../gui/insight/bands.py" line="56"/>
        <source>Diverging</source>
        <translation>發散</translation>
    </message>
    <message>
        <location filename="../../gui/insight/bands.py" line="57"/>
        <source>Not enough data</source>
        <translation>資料不足</translation>
    </message>
    <message>
        <location filename="../../gui/insight/bands.py" line="60"/>
        <source>this workspace&apos;s other runs</source>
        <translation>本工作區的其他執行</translation>
    </message>
    <message>
        <location filename="../../gui/insight/bands.py" line="61"/>
        <source>the Chinchilla lab&apos;s runs</source>
        <translation>Chinchilla 實驗室的執行</translation>
    </message>
    <message>
        <location filename="../../gui/insight/bands.py" line="62"/>
        <source>the run&apos;s own first half</source>
        <translation>本次執行自己的前半段</translation>
    </message>
    <message>
        <location filename="../../gui/insight/bands.py" line="89"/>
        <source>No law fitted: fewer than three validation points to fit.</source>
        <translation>未擬合定律：可供擬合的驗證點少於三個。</translation>
    </message>
    <message>
        <location filename="../../gui/insight/bands.py" line="94"/>
        <source>loss ≈ {0:.3f} + {1:.4g}·N^−{2:.2f} + {3:.4g}·D^−{4:.2f}, fitted to {5} points from {6} (scatter σ = {7:.3f}); N = {8:,} parameters. {9} of {10} validation points lie in the band.</source>
        <translation>loss ≈ {0:.3f} + {1:.4g}·N^−{2:.2f} + {3:.4g}·D^−{4:.2f}，以來自{6}的 {5} 個點擬合（離散程度 σ = {7:.3f}）；N = {8:,} 個參數。{10} 個驗證點中有 {9} 個落在帶內。</translation>
    </message>
</context>
<context>
    <name>CleaningLabels</name>
    <message>
        <location filename="../../gui/labels.py" line="198"/>
        <source>Input</source>
        <translation>輸入</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="199"/>
        <source>Normalize</source>
        <translation>正規化</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="200"/>
        <source>Rules</source>
        <translation>規則</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="201"/>
        <source>Exact duplicates</source>
        <translation>完全重複</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="202"/>
        <source>Near duplicates</source>
        <translation>近似重複</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="203"/>
        <source>Quality model</source>
        <translation>品質模型</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="204"/>
        <source>Output</source>
        <translation>輸出</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="209"/>
        <source>Empty after normalizing</source>
        <translation>正規化後為空</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="210"/>
        <source>Too short</source>
        <translation>太短</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="211"/>
        <source>Too long</source>
        <translation>太長</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="212"/>
        <source>Short lines</source>
        <translation>行太短</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="213"/>
        <source>Long lines</source>
        <translation>行太長</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="214"/>
        <source>Too many symbols</source>
        <translation>符號太多</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="215"/>
        <source>Other script</source>
        <translation>其他文字系統</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="216"/>
        <source>Mostly bullet lines</source>
        <translation>多為項目符號行</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="217"/>
        <source>Lines cut off with …</source>
        <translation>多行以…截斷</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="218"/>
        <source>Repeated lines</source>
        <translation>重複的行</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="219"/>
        <source>Text in repeated lines</source>
        <translation>重複行的文字過多</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="220"/>
        <source>One character repeated</source>
        <translation>單一字元連續重複</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="221"/>
        <source>Bad words</source>
        <translation>不當用詞</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="222"/>
        <source>Repeating pattern</source>
        <translation>週期性重複</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="223"/>
        <source>One phrase dominates</source>
        <translation>單一片語過多</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="224"/>
        <source>Repeated phrases</source>
        <translation>重複的片語</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="225"/>
        <source>Exact duplicate</source>
        <translation>完全重複</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="226"/>
        <source>Near duplicate</source>
        <translation>近似重複</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="227"/>
        <source>Low quality</source>
        <translation>品質低</translation>
    </message>
</context>
<context>
    <name>ClusterExportDialog</name>
    <message>
        <location filename="../../gui/widgets/cluster_dialog.py" line="32"/>
        <source>Export {0} for a cluster</source>
        <translation>匯出 {0} 到叢集</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/cluster_dialog.py" line="39"/>
        <source>Where the workspace will live on the cluster (a filesystem every node reads).</source>
        <translation>工作區在叢集上的位置（每個節點都讀得到的檔案系統）。</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/cluster_dialog.py" line="41"/>
        <source>Choose…</source>
        <translation>選擇…</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/cluster_dialog.py" line="50"/>
        <source>Machines (nodes)</source>
        <translation>機器（節點）數</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/cluster_dialog.py" line="51"/>
        <source>GPUs per machine</source>
        <translation>每台機器的 GPU 數</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/cluster_dialog.py" line="52"/>
        <source>Workspace on the cluster</source>
        <translation>叢集上的工作區</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/cluster_dialog.py" line="53"/>
        <source>Slurm time limit (hours)</source>
        <translation>Slurm 時間上限（小時）</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/cluster_dialog.py" line="54"/>
        <source>Write to folder</source>
        <translation>寫入資料夾</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/cluster_dialog.py" line="63"/>
        <source>Copy command</source>
        <translation>複製指令</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/cluster_dialog.py" line="68"/>
        <source>Export</source>
        <translation>匯出</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/cluster_dialog.py" line="76"/>
        <source>Writes the run&apos;s config (run.toml), launch.sh (torchrun), slurm.sbatch and a README into a folder. Copy the workspace and that folder to the cluster and start launch.sh or sbatch slurm.sbatch: the same config trains there on every GPU.</source>
        <translation>把這次訓練的設定（run.toml）、launch.sh（torchrun）、slurm.sbatch 和說明檔寫進一個資料夾。把工作區和這個資料夾複製到叢集，執行 launch.sh 或 sbatch slurm.sbatch：同一份設定就會在每張 GPU 上訓練。</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/cluster_dialog.py" line="89"/>
        <source>Folder for the cluster files</source>
        <translation>叢集檔案的資料夾</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/cluster_dialog.py" line="105"/>
        <source>Not exported: {0}</source>
        <translation>未匯出：{0}</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/cluster_dialog.py" line="108"/>
        <source>Wrote {0} to {1}. Start it on the cluster with:</source>
        <translation>已將 {0} 寫入 {1}。在叢集上用這個指令啟動：</translation>
    </message>
</context>
<context>
    <name>ComparePage</name>
    <message>
        <location filename="../../gui/pages/compare.py" line="57"/>
        <source>Compare</source>
        <translation>比較</translation>
    </message>
    <message>
        <location filename="../../gui/pages/compare.py" line="59"/>
        <source>The same prompt answered by checkpoints of every stage, side by side. Rank the answers: each judgement is saved at once to the preference store, where the reward model and DPO learn from it.</source>
        <translation>同一個提示由各階段的檢查點並排回答。替回答排名：每個判斷都會立即存入偏好資料庫，獎勵模型和 DPO 會從中學習。</translation>
    </message>
    <message>
        <location filename="../../gui/pages/compare.py" line="72"/>
        <source>Type a prompt, or pick one from the list…</source>
        <translation>輸入提示，或從清單中挑選…</translation>
    </message>
    <message>
        <location filename="../../gui/pages/compare.py" line="77"/>
        <source>Load prompts…</source>
        <translation>載入提示…</translation>
    </message>
    <message>
        <location filename="../../gui/pages/compare.py" line="95"/>
        <source>Answers</source>
        <translation>回答數</translation>
    </message>
    <message>
        <location filename="../../gui/pages/compare.py" line="104"/>
        <source>Decoding settings of this column only</source>
        <translation>只用於這一欄的解碼設定</translation>
    </message>
    <message>
        <location filename="../../gui/pages/compare.py" line="110"/>
        <source>Blind</source>
        <translation>盲測</translation>
    </message>
    <message>
        <location filename="../../gui/pages/compare.py" line="112"/>
        <source>Shuffle the answers and hide which run wrote which until you have ranked them</source>
        <translation>打亂回答順序，並在你排名之前隱藏每個回答來自哪個執行</translation>
    </message>
    <message>
        <location filename="../../gui/pages/compare.py" line="113"/>
        <source>Generate</source>
        <translation>生成</translation>
    </message>
    <message>
        <location filename="../../gui/pages/compare.py" line="115"/>
        <source>Ctrl+Enter</source>
        <translation>Ctrl+Enter</translation>
    </message>
    <message>
        <location filename="../../gui/pages/compare.py" line="117"/>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <location filename="../../gui/pages/compare.py" line="143"/>
        <source>Tie (T)</source>
        <translation>平手 (T)</translation>
    </message>
    <message>
        <location filename="../../gui/pages/compare.py" line="152"/>
        <source>Drag to order, best on the left; or press 1–4 in order of preference</source>
        <translation>拖曳排序，最好的放左邊；或依偏好順序按 1–4</translation>
    </message>
    <message>
        <location filename="../../gui/pages/compare.py" line="154"/>
        <source>Save ranking</source>
        <translation>儲存排名</translation>
    </message>
    <message>
        <location filename="../../gui/pages/compare.py" line="158"/>
        <source>Next prompt (Space)</source>
        <translation>下一個提示（空白鍵）</translation>
    </message>
    <message>
        <location filename="../../gui/pages/compare.py" line="179"/>
        <source>Decoding</source>
        <translation>解碼</translation>
    </message>
    <message>
        <location filename="../../gui/pages/compare.py" line="180"/>
        <source>Queue</source>
        <translation>佇列</translation>
    </message>
    <message>
        <location filename="../../gui/pages/compare.py" line="181"/>
        <source>Leaderboard</source>
        <translation>排行榜</translation>
    </message>
    <message>
        <location filename="../../gui/pages/compare.py" line="182"/>
        <source>Token shift</source>
        <translation>Token 偏移</translation>
    </message>
    <message>
        <location filename="../../gui/pages/compare.py" line="185"/>
        <source>Alignment tax</source>
        <translation>對齊稅</translation>
    </message>
    <message>
        <location filename="../../gui/pages/compare.py" line="186"/>
        <source>Timeline</source>
        <translation>時間軸</translation>
    </message>
    <message>
        <location filename="../../gui/pages/compare.py" line="236"/>
        <source>from {0}</source>
        <translation>來自 {0}</translation>
    </message>
    <message>
        <location filename="../../gui/pages/compare.py" line="273"/>
        <source>— {0} prompts —</source>
        <translation>— {0} 個提示 —</translation>
    </message>
    <message>
        <location filename="../../gui/pages/compare.py" line="284"/>
        <source>Load prompts</source>
        <translation>載入提示</translation>
    </message>
    <message>
        <location filename="../../gui/pages/compare.py" line="284"/>
        <source>Prompts (*.txt *.jsonl *.json *.parquet)</source>
        <translation>提示檔 (*.txt *.jsonl *.json *.parquet)</translation>
    </message>
    <message>
        <location filename="../../gui/pages/compare.py" line="307"/>
        <source>Decoding of column {0}</source>
        <translation>第 {0} 欄的解碼</translation>
    </message>
    <message>
        <location filename="../../gui/pages/compare.py" line="311"/>
        <source>Use the shared settings</source>
        <translation>使用共用設定</translation>
    </message>
    <message>
        <location filename="../../gui/pages/compare.py" line="325"/>
        <source>Greedy</source>
        <translation>貪婪解碼</translation>
    </message>
    <message>
        <location filename="../../gui/pages/compare.py" line="326"/>
        <source>Temperature</source>
        <translation>溫度</translation>
    </message>
    <message>
        <location filename="../../gui/pages/compare.py" line="327"/>
        <source>Top-k</source>
        <translation>Top-k</translation>
    </message>
    <message>
        <location filename="../../gui/pages/compare.py" line="328"/>
        <source>Top-p</source>
        <translation>Top-p</translation>
    </message>
    <message>
        <location filename="../../gui/pages/compare.py" line="329"/>
        <source>Repetition penalty</source>
        <translation>重複懲罰</translation>
    </message>
    <message>
        <location filename="../../gui/pages/compare.py" line="330"/>
        <source>End-of-turn bias</source>
        <translation>回合結束偏置</translation>
    </message>
    <message>
        <location filename="../../gui/pages/compare.py" line="331"/>
        <source>Max new tokens</source>
        <translation>最多新 token 數</translation>
    </message>
    <message>
        <location filename="../../gui/pages/compare.py" line="332"/>
        <source>Seed</source>
        <translation>種子</translation>
    </message>
    <message>
        <location filename="../../gui/pages/compare.py" line="361"/>
        <source>Type a prompt and pick a run for every column.</source>
        <translation>請輸入提示，並為每一欄選擇一個執行。</translation>
    </message>
    <message>
        <location filename="../../gui/pages/compare.py" line="371"/>
        <source>Generating…</source>
        <translation>生成中…</translation>
    </message>
    <message>
        <location filename="../../gui/pages/compare.py" line="387"/>
        <source>Answer {0}</source>
        <translation>回答 {0}</translation>
    </message>
    <message>
        <location filename="../../gui/pages/compare.py" line="138"/>
        <location filename="../../gui/pages/compare.py" line="392"/>
        <source>{0} is better ({1})</source>
        <translation>{0} 較好 ({1})</translation>
    </message>
    <message>
        <location filename="../../gui/pages/compare.py" line="407"/>
        <source>{0} tokens</source>
        <translation>{0} 個 token</translation>
    </message>
    <message>
        <location filename="../../gui/pages/compare.py" line="409"/>
        <source> (stopped)</source>
        <translation>（已停止）</translation>
    </message>
    <message>
        <location filename="../../gui/pages/compare.py" line="412"/>
        <source>Answers saved{0}. Rank them: press 1–{1} from best to worst, or drag and save; T for a tie of two.</source>
        <translation>回答已儲存{0}。請排名：從最好到最差按 1–{1}，或拖曳後儲存；兩個回答平手按 T。</translation>
    </message>
    <message>
        <location filename="../../gui/pages/compare.py" line="452"/>
        <source>tie: {0} = {1}</source>
        <translation>平手：{0} = {1}</translation>
    </message>
    <message>
        <location filename="../../gui/pages/compare.py" line="456"/>
        <source>Saved judgement #{0}: {1}. Ctrl+Z undoes it.</source>
        <translation>已儲存判斷 #{0}：{1}。按 Ctrl+Z 可復原。</translation>
    </message>
    <message>
        <location filename="../../gui/pages/compare.py" line="466"/>
        <source>Saved thumb {0} for {1} (#{2}). Ctrl+Z undoes it.</source>
        <translation>已為 {1} 儲存 {0}（#{2}）。按 Ctrl+Z 可復原。</translation>
    </message>
    <message>
        <location filename="../../gui/pages/compare.py" line="467"/>
        <source>up</source>
        <translation>讚</translation>
    </message>
    <message>
        <location filename="../../gui/pages/compare.py" line="467"/>
        <source>down</source>
        <translation>倒讚</translation>
    </message>
    <message>
        <location filename="../../gui/pages/compare.py" line="480"/>
        <source>Judgement #{0} undone.</source>
        <translation>判斷 #{0} 已復原。</translation>
    </message>
    <message>
        <location filename="../../gui/pages/compare.py" line="490"/>
        <source>The queue is finished.</source>
        <translation>佇列已完成。</translation>
    </message>
</context>
<context>
    <name>ConfigChoices</name>
    <message>
        <location filename="../../gui/labels.py" line="173"/>
        <source>Tiny</source>
        <translation>極小</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="174"/>
        <source>Small</source>
        <translation>小</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="175"/>
        <source>Medium</source>
        <translation>中</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="176"/>
        <source>Automatic</source>
        <translation>自動</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="177"/>
        <source>32-bit float (fp32)</source>
        <translation>32 位元浮點數（fp32）</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="178"/>
        <source>16-bit bfloat (bf16)</source>
        <translation>16 位元 bfloat（bf16）</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="179"/>
        <source>The answers only</source>
        <translation>只算回答</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="180"/>
        <source>Every token</source>
        <translation>所有 token</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="181"/>
        <source>All</source>
        <translation>全部</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="182"/>
        <source>The longest N</source>
        <translation>最長的 N 筆</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="183"/>
        <source>N diverse prompts</source>
        <translation>N 個多樣的提示</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="184"/>
        <source>Scaled by group std (GRPO)</source>
        <translation>除以組內標準差（GRPO）</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="185"/>
        <source>Mean only (Dr. GRPO)</source>
        <translation>只減去平均（Dr. GRPO）</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="186"/>
        <source>English</source>
        <translation>英文</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="187"/>
        <source>Chinese</source>
        <translation>中文</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="188"/>
        <source>English and Chinese</source>
        <translation>中英文</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="189"/>
        <source>Held-out people</source>
        <translation>保留的人物</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="190"/>
        <source>Training people</source>
        <translation>訓練用的人物</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="191"/>
        <source>Answer probability</source>
        <translation>回答的機率</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="192"/>
        <source>Geometric mean per token</source>
        <translation>每個 token 的幾何平均</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="193"/>
        <source>Least likely token</source>
        <translation>最不可能的 token</translation>
    </message>
</context>
<context>
    <name>ConfigLabels</name>
    <message>
        <location filename="../../gui/labels.py" line="17"/>
        <source>Size preset</source>
        <translation>規模預設</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="18"/>
        <source>Layers</source>
        <translation>層數</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="19"/>
        <source>Attention heads</source>
        <translation>注意力頭數</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="20"/>
        <source>Width</source>
        <translation>寬度</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="21"/>
        <source>Context (tokens)</source>
        <translation>上下文長度（token）</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="22"/>
        <source>Experts (MoE)</source>
        <translation>專家數（MoE）</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="23"/>
        <source>Experts per token</source>
        <translation>每個 token 的專家數</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="24"/>
        <source>Load-balancing weight</source>
        <translation>負載平衡權重</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="25"/>
        <source>Dropout</source>
        <translation>Dropout 比例</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="26"/>
        <source>Vocabulary size</source>
        <translation>詞彙表大小</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="27"/>
        <source>Min pair frequency</source>
        <translation>配對最低出現次數</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="28"/>
        <source>Tokens per shard</source>
        <translation>每個分片的 token 數</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="29"/>
        <source>BPE training text (MB)</source>
        <translation>BPE 訓練文字量（MB）</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="31"/>
        <location filename="../../gui/labels.py" line="33"/>
        <source>Steps</source>
        <translation>步數</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="32"/>
        <source>Minutes</source>
        <translation>分鐘數</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="34"/>
        <source>Epochs</source>
        <translation>訓練輪數</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="35"/>
        <source>Batch size</source>
        <translation>批次大小</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="36"/>
        <source>Gradient accumulation</source>
        <translation>梯度累積</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="37"/>
        <source>Learning rate</source>
        <translation>學習率</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="38"/>
        <source>Final learning rate (share)</source>
        <translation>最終學習率（比例）</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="39"/>
        <source>Warm-up steps</source>
        <translation>暖身步數</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="40"/>
        <source>Decay share</source>
        <translation>衰減比例</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="41"/>
        <source>Weight decay</source>
        <translation>權重衰減</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="42"/>
        <source>Adam β1</source>
        <translation>Adam β1</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="43"/>
        <source>Adam β2</source>
        <translation>Adam β2</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="44"/>
        <source>Gradient clip</source>
        <translation>梯度裁剪</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="45"/>
        <source>Seed</source>
        <translation>隨機種子</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="47"/>
        <source>Validate every</source>
        <translation>驗證間隔</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="48"/>
        <source>Validation batches</source>
        <translation>驗證批次數</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="49"/>
        <source>Validation share</source>
        <translation>驗證集比例</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="50"/>
        <source>Sample every</source>
        <translation>取樣間隔</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="51"/>
        <source>Sample length (tokens)</source>
        <translation>樣本長度（token）</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="52"/>
        <source>Sample prompts</source>
        <translation>取樣提示</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="53"/>
        <source>Checkpoint every</source>
        <translation>檢查點間隔</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="54"/>
        <source>Checkpoint every (minutes)</source>
        <translation>檢查點間隔（分鐘）</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="55"/>
        <source>Checkpoints kept</source>
        <translation>保留的檢查點數</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="56"/>
        <source>Spike threshold (σ)</source>
        <translation>尖峰門檻（σ）</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="57"/>
        <source>Spike window (steps)</source>
        <translation>尖峰視窗（步數）</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="58"/>
        <source>Max skipped steps</source>
        <translation>最多連續略過步數</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="60"/>
        <source>Device</source>
        <translation>裝置</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="61"/>
        <source>Precision</source>
        <translation>數值精度</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="62"/>
        <source>CPU threads</source>
        <translation>CPU 執行緒數</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="63"/>
        <source>Compile model</source>
        <translation>編譯模型</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="64"/>
        <source>Activation checkpointing</source>
        <translation>活化值重算</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="66"/>
        <source>Base model</source>
        <translation>基礎模型</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="67"/>
        <source>SFT run</source>
        <translation>SFT 執行</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="68"/>
        <source>Reference model</source>
        <translation>參考模型</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="69"/>
        <source>Runs to compare</source>
        <translation>要比較的執行</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="70"/>
        <source>Data file</source>
        <translation>資料檔</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="71"/>
        <source>Pairs file</source>
        <translation>成對資料檔</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="72"/>
        <source>Prompts</source>
        <translation>提示</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="73"/>
        <source>Shuffle documents</source>
        <translation>打亂文件順序</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="74"/>
        <source>Mixed-in QA (share)</source>
        <translation>混入問答（比例）</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="75"/>
        <source>Mix-in data</source>
        <translation>混入的資料</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="77"/>
        <source>Loss on</source>
        <translation>損失計算於</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="78"/>
        <source>Examples</source>
        <translation>範例</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="79"/>
        <source>How many</source>
        <translation>數量</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="80"/>
        <source>Group by length</source>
        <translation>依長度分組</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="81"/>
        <source>Responses only</source>
        <translation>只用回答</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="82"/>
        <source>Replay share</source>
        <translation>重播比例</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="83"/>
        <source>Evaluation prompts</source>
        <translation>評估提示數</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="84"/>
        <source>LoRA</source>
        <translation>LoRA</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="85"/>
        <source>LoRA rank</source>
        <translation>LoRA 秩</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="86"/>
        <source>LoRA alpha</source>
        <translation>LoRA alpha</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="87"/>
        <source>LoRA dropout</source>
        <translation>LoRA dropout 比例</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="88"/>
        <source>LoRA targets</source>
        <translation>LoRA 目標層</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="89"/>
        <source>Train embeddings</source>
        <translation>訓練嵌入層</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="91"/>
        <source>Beta (β)</source>
        <translation>Beta（β）</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="92"/>
        <source>Add likelihood score</source>
        <translation>加上似然分數</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="93"/>
        <source>Thumbs-up weight</source>
        <translation>讚的權重</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="94"/>
        <source>Thumbs-down weight</source>
        <translation>倒讚的權重</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="95"/>
        <source>Judge</source>
        <translation>評審</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="96"/>
        <source>Unsafe prompt share</source>
        <translation>不安全提示比例</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="97"/>
        <source>Answers per prompt</source>
        <translation>每個提示的回答數</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="98"/>
        <source>Answer length (tokens)</source>
        <translation>回答長度（token）</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="99"/>
        <source>Ratio clip (ε)</source>
        <translation>比率裁剪（ε）</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="100"/>
        <source>pass@k samples</source>
        <translation>pass@k 取樣數</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="101"/>
        <source>Prompts to filter</source>
        <translation>要篩選的提示數</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="102"/>
        <source>Advantage</source>
        <translation>優勢估計</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="103"/>
        <source>Discount (γ)</source>
        <translation>折扣（γ）</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="104"/>
        <source>GAE λ</source>
        <translation>GAE λ</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="105"/>
        <source>Value loss weight</source>
        <translation>價值損失權重</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="106"/>
        <source>Value clip</source>
        <translation>價值裁剪</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="107"/>
        <source>Steps per rollout</source>
        <translation>每批取樣的更新步數</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="109"/>
        <source>Greedy</source>
        <translation>貪婪解碼</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="110"/>
        <source>Temperature</source>
        <translation>溫度</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="111"/>
        <source>Top-k</source>
        <translation>Top-k</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="112"/>
        <source>Top-p</source>
        <translation>Top-p</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="113"/>
        <source>Repetition penalty</source>
        <translation>重複懲罰</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="114"/>
        <source>End-of-turn bias</source>
        <translation>回合結束偏置</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="115"/>
        <source>Max new tokens</source>
        <translation>最多新 token 數</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="117"/>
        <source>Budget (minutes)</source>
        <translation>預算（分鐘）</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="118"/>
        <source>Smallest budget (FLOPs)</source>
        <translation>最小預算（FLOPs）</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="119"/>
        <source>Budgets</source>
        <translation>預算數</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="120"/>
        <source>Budget multiplier</source>
        <translation>預算倍數</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="121"/>
        <source>Sizes per budget</source>
        <translation>每個預算的模型大小數</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="122"/>
        <source>Model sizes (layers×width)</source>
        <translation>模型大小（層數×寬度）</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="123"/>
        <source>Digits per number</source>
        <translation>每個數的位數</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="124"/>
        <source>Answer reversed</source>
        <translation>答案倒寫</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="125"/>
        <source>Numbers reversed</source>
        <translation>加數倒寫</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="126"/>
        <source>Held-out problems</source>
        <translation>保留題目數</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="127"/>
        <source>Dense model of total size</source>
        <translation>總參數相同的密集模型</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="128"/>
        <source>Expert width (× model width)</source>
        <translation>專家寬度（× 模型寬度）</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="129"/>
        <source>Tokens generated (speed)</source>
        <translation>生成 token 數（測速）</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="130"/>
        <source>Sweep centre (tokens/param)</source>
        <translation>掃描中心（token／參數）</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="131"/>
        <source>People</source>
        <translation>人數</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="133"/>
        <source>Versions per person</source>
        <translation>每人的傳記版本數</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="134"/>
        <source>Language</source>
        <translation>語言</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="135"/>
        <source>Validation stories</source>
        <translation>驗證用故事數</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="136"/>
        <source>Pretraining steps</source>
        <translation>預訓練步數</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="137"/>
        <source>Fine-tuning steps</source>
        <translation>微調步數</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="138"/>
        <source>Fine-tuning learning rate</source>
        <translation>微調學習率</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="139"/>
        <source>Fine-tuning batch size</source>
        <translation>微調批次大小</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="140"/>
        <source>Curve points</source>
        <translation>曲線點數</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="141"/>
        <source>Questions per point</source>
        <translation>每點的問題數</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="142"/>
        <source>Questions</source>
        <translation>問題數</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="143"/>
        <source>Training questions</source>
        <translation>訓練問題數</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="144"/>
        <source>Report examples</source>
        <translation>報告中的範例數</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="145"/>
        <source>Keep checkpoints</source>
        <translation>保留檢查點</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="147"/>
        <source>Facts</source>
        <translation>事實數</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="148"/>
        <source>Samples per prompt</source>
        <translation>每個提示的取樣數</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="149"/>
        <source>Facts per category</source>
        <translation>每類的事實數</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="150"/>
        <source>Min facts per category</source>
        <translation>每類最少事實數</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="151"/>
        <source>Evaluation questions</source>
        <translation>評估問題數</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="152"/>
        <source>Fit-check questions</source>
        <translation>擬合檢查問題數</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="153"/>
        <source>Keep scratch files</source>
        <translation>保留暫存檔</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="155"/>
        <source>Question set</source>
        <translation>問題集</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="156"/>
        <source>Confidence measure</source>
        <translation>信心度量方式</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="157"/>
        <source>Confidence bins</source>
        <translation>信心分箱數</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="159"/>
        <source>Junk bursts</source>
        <translation>垃圾資料注入次數</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="160"/>
        <source>First burst (share)</source>
        <translation>第一次注入位置（比例）</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="161"/>
        <source>Last burst (share)</source>
        <translation>最後一次注入位置（比例）</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="162"/>
        <source>Unguarded run</source>
        <translation>無防護的執行</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="164"/>
        <source>Unsafe requests</source>
        <translation>不安全請求數</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="165"/>
        <source>Example turns</source>
        <translation>範例回合數</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="166"/>
        <source>System prompt</source>
        <translation>系統提示</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="167"/>
        <source>Decoding tricks alone</source>
        <translation>只用解碼技巧</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="168"/>
        <source>Save answers for judging</source>
        <translation>儲存回答以供評判</translation>
    </message>
</context>
<context>
    <name>DataPage</name>
    <message>
        <location filename="../../gui/pages/data.py" line="48"/>
        <source>Data</source>
        <translation>資料</translation>
    </message>
    <message>
        <location filename="../../gui/pages/data.py" line="50"/>
        <source>Raw text is dirty: markup, duplicates, spam, pages of one repeated character. Cleaning keeps what is worth learning from, and says why it dropped the rest.</source>
        <translation>原始文字很髒：標記語言、重複內容、垃圾訊息、整頁同一個字元。清理會留下值得學習的部分，並說明其餘被丟棄的原因。</translation>
    </message>
    <message>
        <location filename="../../gui/pages/data.py" line="59"/>
        <source>Add files…</source>
        <translation>加入檔案…</translation>
    </message>
    <message>
        <location filename="../../gui/pages/data.py" line="60"/>
        <source>Add folder…</source>
        <translation>加入資料夾…</translation>
    </message>
    <message>
        <location filename="../../gui/pages/data.py" line="61"/>
        <source>Remove</source>
        <translation>移除</translation>
    </message>
    <message>
        <location filename="../../gui/pages/data.py" line="67"/>
        <source>Sources</source>
        <translation>來源</translation>
    </message>
    <message>
        <location filename="../../gui/pages/data.py" line="76"/>
        <source>Steps</source>
        <translation>步驟</translation>
    </message>
    <message>
        <location filename="../../gui/pages/data.py" line="78"/>
        <source>Heuristic rules</source>
        <translation>啟發式規則</translation>
    </message>
    <message>
        <location filename="../../gui/pages/data.py" line="84"/>
        <source>Exact duplicates</source>
        <translation>完全重複</translation>
    </message>
    <message>
        <location filename="../../gui/pages/data.py" line="85"/>
        <source>Near duplicates (MinHash)</source>
        <translation>近似重複（MinHash）</translation>
    </message>
    <message>
        <location filename="../../gui/pages/data.py" line="89"/>
        <source>Quality model</source>
        <translation>品質模型</translation>
    </message>
    <message>
        <location filename="../../gui/pages/data.py" line="93"/>
        <source>Shortest document (characters)</source>
        <translation>最短文件（字元）</translation>
    </message>
    <message>
        <location filename="../../gui/pages/data.py" line="94"/>
        <source>Longest run of one character (share)</source>
        <translation>單一字元最長連續（比例）</translation>
    </message>
    <message>
        <location filename="../../gui/pages/data.py" line="97"/>
        <source>Similarity threshold</source>
        <translation>相似度門檻</translation>
    </message>
    <message>
        <location filename="../../gui/pages/data.py" line="99"/>
        <source>Worker processes</source>
        <translation>工作行程數</translation>
    </message>
    <message>
        <location filename="../../gui/pages/data.py" line="100"/>
        <source>Preview rules on a sample</source>
        <translation>在樣本上預覽規則</translation>
    </message>
    <message>
        <location filename="../../gui/pages/data.py" line="102"/>
        <source>What these rules would drop among the first {0} documents</source>
        <translation>這些規則會在前 {0} 份文件中丟棄哪些</translation>
    </message>
    <message>
        <location filename="../../gui/pages/data.py" line="108"/>
        <source>Clean</source>
        <translation>清理</translation>
    </message>
    <message>
        <location filename="../../gui/pages/data.py" line="122"/>
        <source>Step</source>
        <translation>步驟</translation>
    </message>
    <message>
        <location filename="../../gui/pages/data.py" line="122"/>
        <source>Reason</source>
        <translation>原因</translation>
    </message>
    <message>
        <location filename="../../gui/pages/data.py" line="122"/>
        <source>Documents</source>
        <translation>文件數</translation>
    </message>
    <message>
        <location filename="../../gui/pages/data.py" line="136"/>
        <source>&lt;b&gt;Funnel&lt;/b&gt;: documents left after each step</source>
        <translation>&lt;b&gt;漏斗&lt;/b&gt;：每個步驟後剩下的文件</translation>
    </message>
    <message>
        <location filename="../../gui/pages/data.py" line="144"/>
        <source>Cleaning</source>
        <translation>清理</translation>
    </message>
    <message>
        <location filename="../../gui/pages/data.py" line="146"/>
        <source>Memorisation and contamination</source>
        <translation>記憶與污染</translation>
    </message>
    <message>
        <location filename="../../gui/pages/data.py" line="184"/>
        <source>Add text files</source>
        <translation>加入文字檔</translation>
    </message>
    <message>
        <location filename="../../gui/pages/data.py" line="184"/>
        <source>Text (*.txt *.md *.jsonl *.csv *.parquet);;All files (*)</source>
        <translation>文字 (*.txt *.md *.jsonl *.csv *.parquet);;所有檔案 (*)</translation>
    </message>
    <message>
        <location filename="../../gui/pages/data.py" line="189"/>
        <source>Add a folder of text</source>
        <translation>加入文字資料夾</translation>
    </message>
    <message>
        <location filename="../../gui/pages/data.py" line="215"/>
        <source>Previewing…</source>
        <translation>預覽中…</translation>
    </message>
    <message>
        <location filename="../../gui/pages/data.py" line="234"/>
        <source>These rules would drop {0} of {1} documents: {2}</source>
        <translation>這些規則會丟棄 {1} 份文件中的 {0} 份：{2}</translation>
    </message>
    <message>
        <location filename="../../gui/pages/data.py" line="274"/>
        <source>Output: {0} · {1} inputs skipped · {2} bad records · {3} s</source>
        <translation>輸出：{0} · 略過 {1} 個輸入 · {2} 筆壞紀錄 · {3} 秒</translation>
    </message>
    <message>
        <location filename="../../gui/pages/data.py" line="296"/>
        <source>No examples kept for this reason.</source>
        <translation>這個原因沒有保留範例。</translation>
    </message>
</context>
<context>
    <name>FormMessages</name>
    <message>
        <location filename="../../gui/labels.py" line="318"/>
        <source>{0} ({1}) must be a multiple of {2} ({3})</source>
        <translation>{0}（{1}）必須是{2}（{3}）的倍數</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="322"/>
        <source>{0} ÷ {1} = {2}: it must be even (rotary embeddings work in pairs)</source>
        <translation>{0} ÷ {1} = {2}：必須是偶數（旋轉位置編碼成對運作）</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="326"/>
        <source>{0} ({1}) must not exceed {2} ({3})</source>
        <translation>{0}（{1}）不能大於{2}（{3}）</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="330"/>
        <source>{0} must be 0 (a dense model) or at least 2</source>
        <translation>{0}必須是 0（稠密模型）或至少 2</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="332"/>
        <source>{0} must be at least {1} (it is {2})</source>
        <translation>{0}至少要 {1}（目前是 {2}）</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="333"/>
        <source>{0} must be at most {1} (it is {2})</source>
        <translation>{0}最多只能 {1}（目前是 {2}）</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="336"/>
        <source>{0} must be a finite number (it is {1})</source>
        <translation>{0}必須是有限的數字（目前是 {1}）</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="338"/>
        <source>{0} must be one of {1} (it is {2})</source>
        <translation>{0}必須是下列之一：{1}（目前是 {2}）</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="341"/>
        <source>{0} must be a value of type {1} (it is {2})</source>
        <translation>{0}的型別必須是 {1}（目前是 {2}）</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="345"/>
        <source>Set a budget: a number of steps or of minutes</source>
        <translation>請設定預算：步數或分鐘數</translation>
    </message>
</context>
<context>
    <name>FunnelView</name>
    <message>
        <location filename="../../gui/widgets/funnel.py" line="65"/>
        <source>Run the cleaning to see the funnel.</source>
        <translation>執行清理後即可看到漏斗。</translation>
    </message>
</context>
<context>
    <name>InsightPanel</name>
    <message>
        <location filename="../../gui/insight/panel.py" line="46"/>
        <source>Compute</source>
        <translation>計算</translation>
    </message>
    <message>
        <location filename="../../gui/insight/panel.py" line="88"/>
        <source>Open a workspace first.</source>
        <translation>請先開啟工作區。</translation>
    </message>
    <message>
        <location filename="../../gui/insight/panel.py" line="98"/>
        <source>Another job is running; compute this when it has finished.</source>
        <translation>另一項工作正在執行；請等它結束後再計算。</translation>
    </message>
    <message>
        <location filename="../../gui/insight/panel.py" line="103"/>
        <source>Computing…</source>
        <translation>計算中…</translation>
    </message>
    <message>
        <location filename="../../gui/insight/panel.py" line="109"/>
        <source>Stopped before it finished.</source>
        <translation>在完成前就停止了。</translation>
    </message>
</context>
<context>
    <name>JobPanel</name>
    <message>
        <location filename="../../gui/widgets/job_panel.py" line="35"/>
        <location filename="../../gui/widgets/job_panel.py" line="128"/>
        <source>Pause</source>
        <translation>暫停</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/job_panel.py" line="37"/>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/job_panel.py" line="39"/>
        <source>Stop after the current step and save a checkpoint</source>
        <translation>在目前這一步結束後停止，並儲存檢查點</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/job_panel.py" line="47"/>
        <source>Ready.</source>
        <translation>就緒。</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/job_panel.py" line="120"/>
        <source>Stopping after the current step, then saving a checkpoint…</source>
        <translation>正在停止：完成目前這一步後儲存檢查點…</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/job_panel.py" line="128"/>
        <source>Resume</source>
        <translation>繼續</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/job_panel.py" line="130"/>
        <source>Another job is running; one job at a time</source>
        <translation>另一個工作正在執行；一次只能執行一個工作</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/job_panel.py" line="97"/>
        <location filename="../../gui/widgets/job_panel.py" line="98"/>
        <source>Starting…</source>
        <translation>啟動中…</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/job_panel.py" line="159"/>
        <source>{0:,.1f} per second · elapsed {1} · ETA {2}</source>
        <translation>每秒 {0:,.1f} 個 · 已經過 {1} · 預計剩餘 {2}</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/job_panel.py" line="163"/>
        <source>{0:,} tokens · {1:,.0f} tokens/s · elapsed {2} · ETA {3}</source>
        <translation>{0:,} 個 token · 每秒 {1:,.0f} 個 token · 已經過 {2} · 預計剩餘 {3}</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/job_panel.py" line="172"/>
        <source>validating</source>
        <translation>驗證中</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/job_panel.py" line="173"/>
        <source>answering the evaluation prompts</source>
        <translation>回答評估提示中</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/job_panel.py" line="174"/>
        <source>saving a checkpoint</source>
        <translation>儲存檢查點中</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/job_panel.py" line="175"/>
        <source>measuring the model on held-out prompts (a minute or more)</source>
        <translation>以保留的提示衡量模型中（需一分鐘以上）</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/job_panel.py" line="199"/>
        <source>Done.</source>
        <translation>完成。</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/job_panel.py" line="199"/>
        <source>Stopped; a checkpoint was saved.</source>
        <translation>已停止；檢查點已儲存。</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/job_panel.py" line="211"/>
        <source>Failed.</source>
        <translation>失敗。</translation>
    </message>
</context>
<context>
    <name>JobRunner</name>
    <message>
        <location filename="../../gui/jobs.py" line="207"/>
        <source>checkpoint saved: {0}</source>
        <translation>已儲存檢查點：{0}</translation>
    </message>
</context>
<context>
    <name>LabsPage</name>
    <message>
        <location filename="../../gui/pages/labs.py" line="40"/>
        <source>Labs</source>
        <translation>實驗室</translation>
    </message>
    <message>
        <location filename="../../gui/pages/labs.py" line="42"/>
        <source>Famous results about how language models are made, reproduced at toy scale on this machine. Each lab trains what it needs in a scratch folder and writes a report with plots into the workspace&apos;s labs folder.</source>
        <translation>語言模型如何煉成的經典結果，在這台電腦上以迷你規模重現。每個實驗在暫存資料夾裡訓練所需的模型，並把附圖的報告寫進工作區的 labs 資料夾。</translation>
    </message>
    <message>
        <location filename="../../gui/pages/labs.py" line="50"/>
        <source>Compute-optimal sizing (Chinchilla)</source>
        <translation>算力最佳的模型大小（Chinchilla）</translation>
    </message>
    <message>
        <location filename="../../gui/pages/labs.py" line="52"/>
        <source>For a fixed compute budget, is a big model trained briefly better than a small one trained long? The lab trains several sizes at equal FLOPs (6 × parameters × tokens) and plots loss against size for each budget: the bottom of each curve is the best size for that budget. Hoffmann et al. (2022) found about 20 training tokens per parameter at the optimum.</source>
        <translation>算力固定時，短時間訓練的大模型比長時間訓練的小模型好嗎？這個實驗以相同的 FLOPs（6 × 參數 × token）訓練幾種大小的模型，並為每個預算畫出損失對模型大小的曲線：曲線的最低點就是該預算下最好的大小。Hoffmann 等人（2022）發現最佳點大約是每個參數 20 個訓練 token。</translation>
    </message>
    <message>
        <location filename="../../gui/pages/labs.py" line="59"/>
        <source>Knowledge extraction</source>
        <translation>知識提取</translation>
    </message>
    <message>
        <location filename="../../gui/pages/labs.py" line="61"/>
        <source>Can a model answer questions about people it only read about in pretraining? The lab pretrains three times for the same steps: on one biography per person; on several versions, each worded anew, shuffled and naming the person in every sentence; and on one biography with questions about half the people mixed in. It checks that each model memorised its facts, fine-tunes each on questions about half of the people and asks about the other half. Allen-Zhu and Li found about 10% with one biography and 96% with varied versions: memorised is not the same as extractable.</source>
        <translation>模型能回答只在預訓練裡讀過的人物問題嗎？這個實驗以相同的步數預訓練三次：一次每人只有一篇傳記；一次有好幾個版本，每個版本重新措辭、打亂句子順序，並在每一句都寫出全名；一次只有一篇傳記，但混入一半人物的問答。它先檢查每個模型是否記住了自己的事實，再用一半人物的問答微調，然後詢問另一半人物。Allen-Zhu 與 Li 發現只有一篇傳記時約 10%，有多樣版本時達 96%：記住了，不等於問得出來。</translation>
    </message>
    <message>
        <location filename="../../gui/pages/labs.py" line="71"/>
        <source>What fine-tuning data teaches</source>
        <translation>微調資料教了什麼</translation>
    </message>
    <message>
        <location filename="../../gui/pages/labs.py" line="73"/>
        <source>Sorts question–answer examples by how well the base model already knows them (highly, maybe, weakly, unknown), fine-tunes on each group and compares held-out accuracy. Gekhman et al. (2024) found &apos;maybe known&apos; examples help most and unknown facts teach guessing.</source>
        <translation>依基礎模型對問答範例的熟悉程度（很熟、可能知道、略知、不知道）分組，分別微調並比較保留題目的準確率。Gekhman 等人（2024）發現「可能知道」的範例幫助最大，而不知道的事實會教模型亂猜。</translation>
    </message>
    <message>
        <location filename="../../gui/pages/labs.py" line="79"/>
        <source>Calibration</source>
        <translation>校準</translation>
    </message>
    <message>
        <location filename="../../gui/pages/labs.py" line="81"/>
        <source>Does the model&apos;s confidence match how often it is right? For base, fine-tuned and aligned models the lab plots accuracy against the probability of the answer (a reliability diagram: a calibrated model lies on the diagonal) and reports the expected calibration error.</source>
        <translation>模型的信心和它答對的頻率一致嗎？這個實驗為基礎、微調後和對齊後的模型畫出準確率對答案機率的圖（可靠度圖：校準良好的模型落在對角線上），並報告期望校準誤差（ECE）。</translation>
    </message>
    <message>
        <location filename="../../gui/pages/labs.py" line="88"/>
        <source>Loss spikes and bad data</source>
        <translation>損失尖峰與壞資料</translation>
    </message>
    <message>
        <location filename="../../gui/pages/labs.py" line="90"/>
        <source>Slips a slice of junk pages into a pretraining run, shows the spike on the loss curve, points at the documents in the spiking batches, and trains again on cleaned data.</source>
        <translation>在預訓練資料裡混入一段垃圾網頁，顯示損失曲線上的尖峰，指出造成尖峰的批次裡有哪些文件，再用清理過的資料重新訓練。</translation>
    </message>
    <message>
        <location filename="../../gui/pages/labs.py" line="95"/>
        <source>Decoding without training</source>
        <translation>不訓練，只靠解碼</translation>
    </message>
    <message>
        <location filename="../../gui/pages/labs.py" line="97"/>
        <source>How far do decoding tricks alone take a base model? A higher end-of-turn probability and a repetition penalty, judged side by side against the fine-tuned model (Lin et al. 2023 found such tricks win a share of comparisons).</source>
        <translation>只靠解碼技巧，基礎模型能走多遠？提高回合結束的機率並懲罰重複，再和微調後的模型並排評比（Lin 等人 2023 發現這類技巧能贏下一部分比較）。</translation>
    </message>
    <message>
        <location filename="../../gui/pages/labs.py" line="103"/>
        <source>Emergent abilities, or a metric&apos;s mirage</source>
        <translation>湧現能力，還是指標的幻象</translation>
    </message>
    <message>
        <location filename="../../gui/pages/labs.py" line="105"/>
        <source>Across model sizes, accuracy on some tasks stays near zero and then jumps. The lab trains several sizes on multi-digit addition and scores the same answers three ways: the whole answer right or wrong (it jumps), each digit (it rises gradually) and the loss of the right answer (it falls smoothly) — Schaeffer et al. (2023): look at the steps, not only the answer.</source>
        <translation>隨著模型變大，某些任務的準確率先停在零附近，然後突然跳升。本實驗訓練多種大小的模型做多位數加法，用三種方式為同一批回答打分：整個答案全對才算（會跳升）、逐位數（逐漸上升）與正確答案的損失（平滑下降）——Schaeffer 等人（2023）：要看步驟，不只看最後答案。</translation>
    </message>
    <message>
        <location filename="../../gui/pages/labs.py" line="112"/>
        <source>Mixture of experts</source>
        <translation>混合專家模型</translation>
    </message>
    <message>
        <location filename="../../gui/pages/labs.py" line="114"/>
        <source>A mixture-of-experts model replaces the feed-forward block with many experts and a router that sends each token to one or two of them: every parameter is trained, few are used per token. The lab trains dense models of the same active and the same total size, and MoE models with and without the load-balancing loss, and shows each expert&apos;s share of the tokens.</source>
        <translation>混合專家模型把前饋層換成許多專家，由路由器把每個 token 送到其中一兩個：所有參數都會被訓練，但每個 token 只用到少數。本實驗訓練啟用參數相同與總參數相同的密集模型，以及有和沒有負載平衡損失的 MoE 模型，並顯示每個專家分到的 token 比例。</translation>
    </message>
    <message>
        <location filename="../../gui/pages/labs.py" line="129"/>
        <source>Quick settings (smallest)</source>
        <translation>快速設定（最小）</translation>
    </message>
    <message>
        <location filename="../../gui/pages/labs.py" line="130"/>
        <source>The settings the tests use: a run of seconds, for trying the lab out.</source>
        <translation>測試用的設定：幾秒就跑完，用來試試這個實驗。</translation>
    </message>
    <message>
        <location filename="../../gui/pages/labs.py" line="132"/>
        <source>Run lab</source>
        <translation>執行實驗</translation>
    </message>
    <message>
        <location filename="../../gui/pages/labs.py" line="160"/>
        <source>Report:</source>
        <translation>報告：</translation>
    </message>
    <message>
        <location filename="../../gui/pages/labs.py" line="242"/>
        <source>No report yet: run the lab.</source>
        <translation>還沒有報告：請執行實驗。</translation>
    </message>
</context>
<context>
    <name>LeaderboardTab</name>
    <message>
        <location filename="../../gui/pages/compare_tabs.py" line="143"/>
        <source>Scores from every ranking and pair between answers of different runs (Bradley–Terry, on the Elo scale: +100 ≈ wins 64% against the other); the interval comes from resampling the judgements. Few judgements, wide intervals; a run&apos;s interval is shown once it has {0} judgements.</source>
        <translation>分數來自不同執行的回答之間的所有排名與兩兩比較（Bradley–Terry，以 Elo 尺度表示：+100 ≈ 對另一方勝率 64%）；區間由重抽判斷而來。判斷越少，區間越寬；一個執行累積 {0} 次判斷後才顯示區間。</translation>
    </message>
    <message>
        <location filename="../../gui/pages/compare_tabs.py" line="151"/>
        <source>Run</source>
        <translation>執行</translation>
    </message>
    <message>
        <location filename="../../gui/pages/compare_tabs.py" line="152"/>
        <source>Elo</source>
        <translation>Elo</translation>
    </message>
    <message>
        <location filename="../../gui/pages/compare_tabs.py" line="153"/>
        <source>95% interval</source>
        <translation>95% 區間</translation>
    </message>
    <message>
        <location filename="../../gui/pages/compare_tabs.py" line="154"/>
        <source>Win rate</source>
        <translation>勝率</translation>
    </message>
    <message>
        <location filename="../../gui/pages/compare_tabs.py" line="155"/>
        <source>Games</source>
        <translation>對局數</translation>
    </message>
    <message>
        <location filename="../../gui/pages/compare_tabs.py" line="156"/>
        <source>Judgements</source>
        <translation>判斷數</translation>
    </message>
    <message>
        <location filename="../../gui/pages/compare_tabs.py" line="187"/>
        <source>needs {0} more judgements</source>
        <translation>還需要 {0} 次判斷</translation>
    </message>
    <message>
        <location filename="../../gui/pages/compare_tabs.py" line="196"/>
        <source>{0} judgements, {1} pairs between runs.</source>
        <translation>{0} 個判斷，執行之間 {1} 組配對。</translation>
    </message>
</context>
<context>
    <name>LossPlot</name>
    <message>
        <location filename="../../gui/widgets/loss_plot.py" line="127"/>
        <source>Log x</source>
        <translation>對數 x 軸</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/loss_plot.py" line="128"/>
        <source>Logarithmic step axis: early and late training side by side</source>
        <translation>對數步數軸：訓練初期與後期並列呈現</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/loss_plot.py" line="133"/>
        <source>How much the training loss curve is smoothed (0 = raw)</source>
        <translation>訓練損失曲線的平滑程度（0 = 原始值）</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/loss_plot.py" line="135"/>
        <source>The series shown in the lower graph</source>
        <translation>下方圖表顯示的資料序列</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/loss_plot.py" line="138"/>
        <source>Reset view</source>
        <translation>重設檢視</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/loss_plot.py" line="141"/>
        <source>Export</source>
        <translation>匯出</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/loss_plot.py" line="144"/>
        <source>Export PNG…</source>
        <translation>匯出 PNG…</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/loss_plot.py" line="145"/>
        <source>Export CSV…</source>
        <translation>匯出 CSV…</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/loss_plot.py" line="151"/>
        <source>Smoothing</source>
        <translation>平滑</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/loss_plot.py" line="153"/>
        <source>Lower graph</source>
        <translation>下方圖表</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/loss_plot.py" line="169"/>
        <source>loss</source>
        <translation>損失</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/loss_plot.py" line="170"/>
        <source>step</source>
        <translation>步數</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/loss_plot.py" line="172"/>
        <source>train</source>
        <translation>訓練</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/loss_plot.py" line="173"/>
        <source>train (smoothed)</source>
        <translation>訓練（平滑）</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/loss_plot.py" line="176"/>
        <source>validation</source>
        <translation>驗證</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/loss_plot.py" line="215"/>
        <source>Export graph as PNG</source>
        <translation>將圖表匯出為 PNG</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/loss_plot.py" line="215"/>
        <source>PNG images (*.png)</source>
        <translation>PNG 圖片 (*.png)</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/loss_plot.py" line="220"/>
        <source>Export data as CSV</source>
        <translation>將資料匯出為 CSV</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/loss_plot.py" line="220"/>
        <source>CSV files (*.csv)</source>
        <translation>CSV 檔案 (*.csv)</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/loss_plot.py" line="365"/>
        <source>reference band</source>
        <translation>參考帶</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../gui/main_window.py" line="122"/>
        <source>&amp;File</source>
        <translation>檔案(&amp;F)</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="123"/>
        <source>&amp;Start screen</source>
        <translation>開始畫面(&amp;S)</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="124"/>
        <source>&amp;Open workspace…</source>
        <translation>開啟工作區(&amp;O)…</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="125"/>
        <source>Se&amp;ttings…</source>
        <translation>設定(&amp;T)…</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="127"/>
        <source>&amp;Quit</source>
        <translation>結束(&amp;Q)</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="128"/>
        <source>&amp;Help</source>
        <translation>說明(&amp;H)</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="129"/>
        <source>&amp;About LM Dojo…</source>
        <translation>關於 LM Dojo(&amp;A)…</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="174"/>
        <source>A job is running; the story waits until it ends.</source>
        <translation>有工作正在執行；故事會等它結束。</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="253"/>
        <source>Next: {0} →</source>
        <translation>下一步：{0} →</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="263"/>
        <source>not started</source>
        <translation>尚未開始</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="264"/>
        <source>running</source>
        <translation>執行中</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="265"/>
        <source>done</source>
        <translation>已完成</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="266"/>
        <source>failed</source>
        <translation>失敗</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="267"/>
        <source>interrupted</source>
        <translation>已中斷</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="274"/>
        <source>The tokenizer reads the cleaned corpus (data/clean), or data/corpus before cleaning.</source>
        <translation>分詞器讀取清理後的語料（data/clean）；清理前則讀取 data/corpus。</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="276"/>
        <source>Pretraining needs a trained tokenizer: train it on this page first.</source>
        <translation>預訓練需要訓練好的分詞器：請先在這一頁訓練分詞器。</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="278"/>
        <source>SFT starts from a pretrained model: pretrain first.</source>
        <translation>SFT 從預訓練好的模型開始：請先預訓練。</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="281"/>
        <source>Careful: the latest pretraining run ({0}, step {1}) is too short to build on: its validation loss {2:.2f} is close to guessing (ln V = {3:.2f}). Pretrain for longer first.</source>
        <translation>注意：最新的預訓練執行（{0}，第 {1} 步）太短，不足以作為基礎：它的驗證損失 {2:.2f} 接近隨機猜測（ln V = {3:.2f}）。請先預訓練久一點。</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="285"/>
        <source>RLHF starts from a fine-tuned (SFT) model: run SFT first.</source>
        <translation>RLHF 從微調（SFT）後的模型開始：請先執行 SFT。</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="287"/>
        <source>Compare needs a trained model: pretrain first.</source>
        <translation>比較需要一個訓練好的模型：請先預訓練。</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="288"/>
        <source>Ready for {0}.</source>
        <translation>已準備好進入「{0}」。</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="297"/>
        <source>About LM Dojo</source>
        <translation>關於 LM Dojo</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="300"/>
        <source>Version {0}</source>
        <translation>版本 {0}</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="304"/>
        <source>Train a small GPT-style language model through every stage — data, pretraining, SFT, RLHF — on your own machine.</source>
        <translation>在你自己的電腦上，走過每個階段（資料、預訓練、SFT、RLHF），訓練一個小型 GPT 式語言模型。</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="308"/>
        <source>Released under the MIT license.</source>
        <translation>以 MIT 授權條款釋出。</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="332"/>
        <source>A job is running. Stop it, save a checkpoint and quit?</source>
        <translation>有工作正在執行。要停止工作、儲存檢查點並結束嗎？</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="335"/>
        <source>Stopping the job and saving a checkpoint…</source>
        <translation>正在停止工作並儲存檢查點…</translation>
    </message>
</context>
<context>
    <name>MetricLabels</name>
    <message>
        <location filename="../../gui/labels.py" line="232"/>
        <source>Training loss</source>
        <translation>訓練損失</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="233"/>
        <source>Learning rate</source>
        <translation>學習率</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="234"/>
        <source>Gradient norm</source>
        <translation>梯度範數</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="235"/>
        <source>Load-balancing loss</source>
        <translation>負載平衡損失</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="236"/>
        <source>Training accuracy</source>
        <translation>訓練準確率</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="237"/>
        <source>Validation loss</source>
        <translation>驗證損失</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="238"/>
        <source>Bits per byte</source>
        <translation>每位元組位元數</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="239"/>
        <source>Facts memorised</source>
        <translation>記住的事實</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="240"/>
        <source>Validation accuracy</source>
        <translation>驗證準確率</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="241"/>
        <source>Validation margin</source>
        <translation>驗證差距</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="242"/>
        <source>Preference accuracy</source>
        <translation>偏好準確率</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="243"/>
        <source>Reward (held out)</source>
        <translation>獎勵（保留集）</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="244"/>
        <source>Reward, greedy (held out)</source>
        <translation>獎勵，貪婪解碼（保留集）</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="245"/>
        <source>Gold reward (rules)</source>
        <translation>黃金獎勵（規則）</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="246"/>
        <source>KL to the start model</source>
        <translation>與起始模型的 KL</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="247"/>
        <source>Distinct answers</source>
        <translation>相異回答比例</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="248"/>
        <source>Answers that end</source>
        <translation>有結束的回答</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="249"/>
        <source>Answer length</source>
        <translation>回答長度</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="250"/>
        <location filename="../../gui/labels.py" line="256"/>
        <source>Reward accuracy</source>
        <translation>獎勵準確率</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="251"/>
        <location filename="../../gui/labels.py" line="257"/>
        <source>Reward, chosen</source>
        <translation>獎勵，選中的</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="252"/>
        <location filename="../../gui/labels.py" line="258"/>
        <source>Reward, rejected</source>
        <translation>獎勵，被拒的</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="253"/>
        <location filename="../../gui/labels.py" line="259"/>
        <source>Reward, desirable</source>
        <translation>獎勵，好的</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="254"/>
        <location filename="../../gui/labels.py" line="260"/>
        <source>Reward, undesirable</source>
        <translation>獎勵，不好的</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="255"/>
        <source>Reward margin</source>
        <translation>獎勵差距</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="261"/>
        <source>Reward (training)</source>
        <translation>獎勵（訓練）</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="262"/>
        <source>Gold reward (training)</source>
        <translation>黃金獎勵（訓練）</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="263"/>
        <source>KL (training)</source>
        <translation>KL（訓練）</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="264"/>
        <source>Entropy</source>
        <translation>熵</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="265"/>
        <source>Groups with one score</source>
        <translation>分數全相同的組</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="266"/>
        <source>Tokens per second</source>
        <translation>每秒 token 數</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="306"/>
        <source>Rule: {0}</source>
        <translation>規則：{0}</translation>
    </message>
    <message>
        <location filename="../../gui/labels.py" line="308"/>
        <source>Rule, greedy: {0}</source>
        <translation>規則，貪婪解碼：{0}</translation>
    </message>
</context>
<context>
    <name>PretrainPage</name>
    <message>
        <location filename="../../gui/pages/pretrain.py" line="45"/>
        <source>Pretraining</source>
        <translation>預訓練</translation>
    </message>
    <message>
        <location filename="../../gui/pages/pretrain.py" line="47"/>
        <source>The model reads the corpus and learns to predict the next token, over and over. This is where it learns the language and the facts of its world.</source>
        <translation>模型一遍又一遍地閱讀語料，學習預測下一個 token。它就是在這個階段學會語言，以及它所處世界的種種事實。</translation>
    </message>
    <message>
        <location filename="../../gui/pages/pretrain.py" line="56"/>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <location filename="../../gui/pages/pretrain.py" line="57"/>
        <source>Budget</source>
        <translation>預算</translation>
    </message>
    <message>
        <location filename="../../gui/pages/pretrain.py" line="58"/>
        <source>Training</source>
        <translation>訓練</translation>
    </message>
    <message>
        <location filename="../../gui/pages/pretrain.py" line="69"/>
        <source>Size preset</source>
        <translation>規模預設</translation>
    </message>
    <message>
        <location filename="../../gui/pages/pretrain.py" line="70"/>
        <source>Layers</source>
        <translation>層數</translation>
    </message>
    <message>
        <location filename="../../gui/pages/pretrain.py" line="71"/>
        <source>Attention heads</source>
        <translation>注意力頭數</translation>
    </message>
    <message>
        <location filename="../../gui/pages/pretrain.py" line="72"/>
        <source>Width</source>
        <translation>寬度</translation>
    </message>
    <message>
        <location filename="../../gui/pages/pretrain.py" line="73"/>
        <source>Context (tokens)</source>
        <translation>上下文長度（token）</translation>
    </message>
    <message>
        <location filename="../../gui/pages/pretrain.py" line="74"/>
        <source>Experts (MoE)</source>
        <translation>專家數（MoE）</translation>
    </message>
    <message>
        <location filename="../../gui/pages/pretrain.py" line="75"/>
        <source>Minutes</source>
        <translation>分鐘數</translation>
    </message>
    <message>
        <location filename="../../gui/pages/pretrain.py" line="76"/>
        <source>Steps</source>
        <translation>步數</translation>
    </message>
    <message>
        <location filename="../../gui/pages/pretrain.py" line="77"/>
        <source>Batch size</source>
        <translation>批次大小</translation>
    </message>
    <message>
        <location filename="../../gui/pages/pretrain.py" line="78"/>
        <source>Learning rate</source>
        <translation>學習率</translation>
    </message>
    <message>
        <location filename="../../gui/pages/pretrain.py" line="79"/>
        <source>Warm-up steps</source>
        <translation>暖身步數</translation>
    </message>
    <message>
        <location filename="../../gui/pages/pretrain.py" line="80"/>
        <source>Validate every</source>
        <translation>驗證間隔</translation>
    </message>
    <message>
        <location filename="../../gui/pages/pretrain.py" line="81"/>
        <source>Sample every</source>
        <translation>取樣間隔</translation>
    </message>
    <message>
        <location filename="../../gui/pages/pretrain.py" line="82"/>
        <source>Checkpoint every</source>
        <translation>檢查點間隔</translation>
    </message>
    <message>
        <location filename="../../gui/pages/pretrain.py" line="83"/>
        <source>Seed</source>
        <translation>隨機種子</translation>
    </message>
    <message>
        <location filename="../../gui/pages/pretrain.py" line="91"/>
        <source>Measure speed</source>
        <translation>測量速度</translation>
    </message>
    <message>
        <location filename="../../gui/pages/pretrain.py" line="92"/>
        <source>Time a few training steps of this model on this machine</source>
        <translation>在這台電腦上實際跑幾個訓練步，測量此模型的速度</translation>
    </message>
    <message>
        <location filename="../../gui/pages/pretrain.py" line="94"/>
        <source>Start pretraining</source>
        <translation>開始預訓練</translation>
    </message>
    <message>
        <location filename="../../gui/pages/pretrain.py" line="107"/>
        <source>Samples</source>
        <translation>生成樣本</translation>
    </message>
    <message>
        <location filename="../../gui/pages/pretrain.py" line="108"/>
        <source>Log</source>
        <translation>記錄</translation>
    </message>
    <message>
        <location filename="../../gui/pages/pretrain.py" line="112"/>
        <source>Runs</source>
        <translation>歷次執行</translation>
    </message>
    <message>
        <location filename="../../gui/pages/pretrain.py" line="115"/>
        <source>Reference band</source>
        <translation>參考帶</translation>
    </message>
    <message>
        <location filename="../../gui/pages/pretrain.py" line="134"/>
        <source>Open a workspace first.</source>
        <translation>請先開啟工作區。</translation>
    </message>
    <message>
        <location filename="../../gui/pages/pretrain.py" line="163"/>
        <source>Measuring…</source>
        <translation>測量中…</translation>
    </message>
    <message>
        <location filename="../../gui/pages/pretrain.py" line="214"/>
        <source>Train the tokenizer first: the model&apos;s size depends on its vocabulary.</source>
        <translation>請先訓練分詞器：模型的大小取決於它的詞彙表。</translation>
    </message>
    <message>
        <location filename="../../gui/pages/pretrain.py" line="219"/>
        <source>{0}/s measured</source>
        <translation>實測每秒 {0}</translation>
    </message>
    <message>
        <location filename="../../gui/pages/pretrain.py" line="219"/>
        <source>speed not measured yet</source>
        <translation>尚未測量速度</translation>
    </message>
    <message>
        <location filename="../../gui/pages/pretrain.py" line="221"/>
        <source>Estimate: {0} parameters · {1} tokens · {2} FLOPs · {3} ({4})</source>
        <translation>估計：{0} 個參數 · {1} 個 token · {2} FLOPs · {3}（{4}）</translation>
    </message>
</context>
<context>
    <name>ProbePanel</name>
    <message>
        <location filename="../../gui/insight/probe.py" line="67"/>
        <source>Memorisation and contamination</source>
        <translation>記憶與污染</translation>
    </message>
    <message>
        <location filename="../../gui/insight/probe.py" line="69"/>
        <source>Memorised: the model gets the first tokens of documents it trained on and continues them greedily; the exact-continuation rate is the share of documents whose next tokens it reproduces word for word. Validation documents, which it never saw, show what fluency alone reaches: only the gap between the training and the validation rate is memorisation (many epochs over a small corpus widen it). Contaminated: every SFT example, held-out question and preference pair is cut into n-grams of tokens and looked up in the pretraining corpus; an item whose n-grams are mostly found was in the training data, so a good score on it measures recall, not skill. The demo&apos;s questions ask about people whose biographies are in the corpus by design, so they overlap partly; an item copied verbatim overlaps fully (1.0). Select a row to see the text, with the shared or reproduced part marked.</source>
        <translation>記憶：把模型訓練過的文件開頭幾個 token 給它，讓它以貪婪解碼接著寫；完全接續率是模型逐字重現後續 token 的文件比例。驗證文件模型從沒看過，它們顯示光靠語言流暢度能達到的程度：只有訓練率與驗證率之間的差距才是記憶（在小語料上訓練很多輪會拉大這個差距）。污染：每個 SFT 範例、保留的問題與偏好配對都切成 token 的 n-gram，再到預訓練語料中查找；若一個項目的 n-gram 大多找得到，它就在訓練資料裡，模型在它上面的好成績量的是回想，而不是能力。示範世界的問題問的是傳記本來就放在語料中的人物，所以會部分重疊；逐字複製的項目則完全重疊（1.0）。選一列即可看到全文，共有或重現的部分會標示出來。</translation>
    </message>
    <message>
        <location filename="../../gui/insight/probe.py" line="86"/>
        <source>Training documents to prompt, and as many validation documents (0: check contamination only)</source>
        <translation>要提示的訓練文件數，驗證文件也取同樣多（0：只檢查污染）</translation>
    </message>
    <message>
        <location filename="../../gui/insight/probe.py" line="92"/>
        <source>Length in tokens of the n-grams an item and the corpus must share</source>
        <translation>項目與語料必須共有的 n-gram 長度（token 數）</translation>
    </message>
    <message>
        <location filename="../../gui/insight/probe.py" line="98"/>
        <source>List an item when at least this share of its n-grams is in the corpus</source>
        <translation>項目的 n-gram 至少有這個比例出現在語料中時就列出</translation>
    </message>
    <message>
        <location filename="../../gui/insight/probe.py" line="101"/>
        <source>Documents</source>
        <translation>文件數</translation>
    </message>
    <message>
        <location filename="../../gui/insight/probe.py" line="103"/>
        <source>n-gram</source>
        <translation>n-gram</translation>
    </message>
    <message>
        <location filename="../../gui/insight/probe.py" line="105"/>
        <source>Threshold</source>
        <translation>門檻</translation>
    </message>
    <message>
        <location filename="../../gui/insight/probe.py" line="120"/>
        <source>Document</source>
        <translation>文件</translation>
    </message>
    <message>
        <location filename="../../gui/insight/probe.py" line="121"/>
        <source>Matched</source>
        <translation>相符</translation>
    </message>
    <message>
        <location filename="../../gui/insight/probe.py" line="122"/>
        <location filename="../../gui/insight/probe.py" line="247"/>
        <source>Prompt</source>
        <translation>提示</translation>
    </message>
    <message>
        <location filename="../../gui/insight/probe.py" line="123"/>
        <location filename="../../gui/insight/probe.py" line="247"/>
        <source>True continuation</source>
        <translation>真正的後文</translation>
    </message>
    <message>
        <location filename="../../gui/insight/probe.py" line="124"/>
        <location filename="../../gui/insight/probe.py" line="247"/>
        <source>Model continuation</source>
        <translation>模型的接續</translation>
    </message>
    <message>
        <location filename="../../gui/insight/probe.py" line="129"/>
        <source>Set</source>
        <translation>資料集</translation>
    </message>
    <message>
        <location filename="../../gui/insight/probe.py" line="129"/>
        <source>Item</source>
        <translation>項目</translation>
    </message>
    <message>
        <location filename="../../gui/insight/probe.py" line="129"/>
        <source>Overlap</source>
        <translation>重疊</translation>
    </message>
    <message>
        <location filename="../../gui/insight/probe.py" line="129"/>
        <source>Corpus document</source>
        <translation>語料文件</translation>
    </message>
    <message>
        <location filename="../../gui/insight/probe.py" line="129"/>
        <source>Shared span</source>
        <translation>共有片段</translation>
    </message>
    <message>
        <location filename="../../gui/insight/probe.py" line="155"/>
        <source>Exact continuation of {0}: training documents {1}, validation documents {2} · mean matched tokens {3} vs {4} of {5} (prompt of {6} tokens; {7} and {8} documents)</source>
        <translation>{0} 的完全接續率：訓練文件 {1}，驗證文件 {2} · 平均相符 token {3} 對 {4}，共 {5} 個（提示 {6} 個 token；{7} 與 {8} 份文件）</translation>
    </message>
    <message>
        <location filename="../../gui/insight/probe.py" line="170"/>
        <source>Memorisation not measured (0 documents).</source>
        <translation>未測量記憶（0 份文件）。</translation>
    </message>
    <message>
        <location filename="../../gui/insight/probe.py" line="191"/>
        <source>{0}: {1} of {2} items flagged, mean overlap {3:.2f}</source>
        <translation>{0}：{2} 個項目中標記了 {1} 個，平均重疊 {3:.2f}</translation>
    </message>
    <message>
        <location filename="../../gui/insight/probe.py" line="197"/>
        <source>Contamination with {0}-grams (threshold {1}): {2} of {3} items flagged.</source>
        <translation>以 {0}-gram 檢查污染（門檻 {1}）：{3} 個項目中標記了 {2} 個。</translation>
    </message>
    <message>
        <location filename="../../gui/insight/probe.py" line="204"/>
        <source>Contamination not checked.</source>
        <translation>未檢查污染。</translation>
    </message>
    <message>
        <location filename="../../gui/insight/probe.py" line="221"/>
        <source>Nothing memorised or flagged to show.</source>
        <translation>沒有記住的文件或被標記的項目可顯示。</translation>
    </message>
    <message>
        <location filename="../../gui/insight/probe.py" line="230"/>
        <source>{0} item {1}: {2:.0%} of its n-grams are in the corpus; the longest shared span is in document {3}.</source>
        <translation>{0} 項目 {1}：它的 n-gram 有 {2:.0%} 出現在語料中；最長的共有片段在文件 {3}。</translation>
    </message>
    <message>
        <location filename="../../gui/insight/probe.py" line="244"/>
        <source>Document {0}: the model reproduced {1} of the {2} tokens that follow.</source>
        <translation>文件 {0}：模型重現了後面 {2} 個 token 中的 {1} 個。</translation>
    </message>
</context>
<context>
    <name>QueueTab</name>
    <message>
        <location filename="../../gui/pages/compare_tabs.py" line="44"/>
        <source>A queue takes the prompt list and the runs chosen above. Space goes to the next prompt; every ranking moves the queue on, and it remembers where you stopped.</source>
        <translation>佇列使用提示清單和上方選擇的執行。按空白鍵前往下一個提示；每次排名都會推進佇列，並記住你停在哪裡。</translation>
    </message>
    <message>
        <location filename="../../gui/pages/compare_tabs.py" line="52"/>
        <source>Answers per run and prompt (each with its own seed)</source>
        <translation>每個執行對每個提示的回答數（各有自己的種子）</translation>
    </message>
    <message>
        <location filename="../../gui/pages/compare_tabs.py" line="53"/>
        <source>New queue from the prompt list</source>
        <translation>用提示清單建立新佇列</translation>
    </message>
    <message>
        <location filename="../../gui/pages/compare_tabs.py" line="58"/>
        <source>Resume</source>
        <translation>繼續</translation>
    </message>
    <message>
        <location filename="../../gui/pages/compare_tabs.py" line="61"/>
        <source>Leave the queue</source>
        <translation>離開佇列</translation>
    </message>
    <message>
        <location filename="../../gui/pages/compare_tabs.py" line="65"/>
        <source>%v / %m prompts</source>
        <translation>%v / %m 個提示</translation>
    </message>
    <message>
        <location filename="../../gui/pages/compare_tabs.py" line="67"/>
        <source>Answers per run</source>
        <translation>每個執行的回答數</translation>
    </message>
    <message>
        <location filename="../../gui/pages/compare_tabs.py" line="87"/>
        <source>{0} — {1} / {2}</source>
        <translation>{0} — {1} / {2}</translation>
    </message>
    <message>
        <location filename="../../gui/pages/compare_tabs.py" line="124"/>
        <source>Queue {0}: prompt {1} of {2}. Space generates it.</source>
        <translation>佇列 {0}：第 {1} 個提示，共 {2} 個。按空白鍵生成。</translation>
    </message>
</context>
<context>
    <name>RLHFPage</name>
    <message>
        <location filename="../../gui/pages/rlhf.py" line="61"/>
        <source>RLHF</source>
        <translation>RLHF</translation>
    </message>
    <message>
        <location filename="../../gui/pages/rlhf.py" line="63"/>
        <source>People say which answer is better; the model learns to give such answers. DPO learns from the pairs directly; a reward model learns to imitate the judges; GRPO and PPO let the model answer and a judge score it.</source>
        <translation>人們判斷哪個回答比較好，模型學著給出那樣的回答。DPO 直接從成對資料學習；獎勵模型學著模仿評審；GRPO 與 PPO 讓模型作答，再由評審打分。</translation>
    </message>
    <message>
        <location filename="../../gui/pages/rlhf.py" line="73"/>
        <source>Import JSONL…</source>
        <translation>匯入 JSONL…</translation>
    </message>
    <message>
        <location filename="../../gui/pages/rlhf.py" line="74"/>
        <source>Export JSONL…</source>
        <translation>匯出 JSONL…</translation>
    </message>
    <message>
        <location filename="../../gui/pages/rlhf.py" line="75"/>
        <source>Add the demo preferences</source>
        <translation>加入示範偏好資料</translation>
    </message>
    <message>
        <location filename="../../gui/pages/rlhf.py" line="79"/>
        <source>Sample answers to rank</source>
        <translation>取樣回答以供排序</translation>
    </message>
    <message>
        <location filename="../../gui/pages/rlhf.py" line="82"/>
        <source>The latest SFT run answers the demo&apos;s held-out prompts 4 times each; the answers wait in the store to be ranked</source>
        <translation>最新的 SFT 執行對示範的保留提示各回答 4 次；這些回答存入資料庫，等待排序</translation>
    </message>
    <message>
        <location filename="../../gui/pages/rlhf.py" line="87"/>
        <source>Preferences</source>
        <translation>偏好資料</translation>
    </message>
    <message>
        <location filename="../../gui/pages/rlhf.py" line="101"/>
        <source>DPO: learn from the pairs</source>
        <translation>DPO：從成對資料學習</translation>
    </message>
    <message>
        <location filename="../../gui/pages/rlhf.py" line="102"/>
        <source>Reward model: learn to judge</source>
        <translation>獎勵模型：學著評分</translation>
    </message>
    <message>
        <location filename="../../gui/pages/rlhf.py" line="103"/>
        <source>GRPO: answer, get judged, improve</source>
        <translation>GRPO：作答、被評分、改進</translation>
    </message>
    <message>
        <location filename="../../gui/pages/rlhf.py" line="105"/>
        <source>KTO: learn from thumbs up / down</source>
        <translation>KTO：從讚／倒讚學習</translation>
    </message>
    <message>
        <location filename="../../gui/pages/rlhf.py" line="109"/>
        <source>Start from run</source>
        <translation>起始執行</translation>
    </message>
    <message>
        <location filename="../../gui/pages/rlhf.py" line="110"/>
        <source>Steps</source>
        <translation>步數</translation>
    </message>
    <message>
        <location filename="../../gui/pages/rlhf.py" line="111"/>
        <source>Minutes</source>
        <translation>分鐘數</translation>
    </message>
    <message>
        <location filename="../../gui/pages/rlhf.py" line="112"/>
        <source>Batch size</source>
        <translation>批次大小</translation>
    </message>
    <message>
        <location filename="../../gui/pages/rlhf.py" line="113"/>
        <source>Learning rate</source>
        <translation>學習率</translation>
    </message>
    <message>
        <location filename="../../gui/pages/rlhf.py" line="114"/>
        <source>Validate every</source>
        <translation>驗證間隔</translation>
    </message>
    <message>
        <location filename="../../gui/pages/rlhf.py" line="184"/>
        <source>Method</source>
        <translation>方法</translation>
    </message>
    <message>
        <location filename="../../gui/pages/rlhf.py" line="213"/>
        <source>gold: the rules</source>
        <translation>黃金：規則評分</translation>
    </message>
    <message>
        <location filename="../../gui/pages/rlhf.py" line="127"/>
        <location filename="../../gui/pages/rlhf.py" line="136"/>
        <location filename="../../gui/pages/rlhf.py" line="145"/>
        <location filename="../../gui/pages/rlhf.py" line="154"/>
        <location filename="../../gui/pages/rlhf.py" line="164"/>
        <source>Budget</source>
        <translation>預算</translation>
    </message>
    <message>
        <location filename="../../gui/pages/rlhf.py" line="126"/>
        <location filename="../../gui/pages/rlhf.py" line="135"/>
        <location filename="../../gui/pages/rlhf.py" line="144"/>
        <location filename="../../gui/pages/rlhf.py" line="153"/>
        <location filename="../../gui/pages/rlhf.py" line="162"/>
        <source>Settings</source>
        <translation>設定</translation>
    </message>
    <message>
        <location filename="../../gui/pages/rlhf.py" line="128"/>
        <location filename="../../gui/pages/rlhf.py" line="137"/>
        <location filename="../../gui/pages/rlhf.py" line="146"/>
        <location filename="../../gui/pages/rlhf.py" line="155"/>
        <location filename="../../gui/pages/rlhf.py" line="165"/>
        <source>Training</source>
        <translation>訓練</translation>
    </message>
    <message>
        <location filename="../../gui/pages/rlhf.py" line="130"/>
        <location filename="../../gui/pages/rlhf.py" line="139"/>
        <location filename="../../gui/pages/rlhf.py" line="148"/>
        <source>Pairs file</source>
        <translation>成對資料檔</translation>
    </message>
    <message>
        <location filename="../../gui/pages/rlhf.py" line="130"/>
        <location filename="../../gui/pages/rlhf.py" line="148"/>
        <source>Beta (β)</source>
        <translation>Beta（β）</translation>
    </message>
    <message>
        <location filename="../../gui/pages/rlhf.py" line="117"/>
        <location filename="../../gui/pages/rlhf.py" line="194"/>
        <source>Judge</source>
        <translation>評審</translation>
    </message>
    <message>
        <location filename="../../gui/pages/rlhf.py" line="104"/>
        <source>PPO: answer, get judged, a value head assigns the credit</source>
        <translation>PPO：回答、受評，由價值頭分配功勞</translation>
    </message>
    <message>
        <location filename="../../gui/pages/rlhf.py" line="118"/>
        <source>Answers per prompt</source>
        <translation>每個提示的回答數</translation>
    </message>
    <message>
        <location filename="../../gui/pages/rlhf.py" line="119"/>
        <source>Temperature</source>
        <translation>溫度</translation>
    </message>
    <message>
        <location filename="../../gui/pages/rlhf.py" line="120"/>
        <source>KL weight (β)</source>
        <translation>KL 權重（β）</translation>
    </message>
    <message>
        <location filename="../../gui/pages/rlhf.py" line="157"/>
        <source>Advantage</source>
        <translation>優勢估計</translation>
    </message>
    <message>
        <location filename="../../gui/pages/rlhf.py" line="163"/>
        <source>Value head</source>
        <translation>價值頭</translation>
    </message>
    <message>
        <location filename="../../gui/pages/rlhf.py" line="170"/>
        <source>Discount (γ)</source>
        <translation>折扣（γ）</translation>
    </message>
    <message>
        <location filename="../../gui/pages/rlhf.py" line="171"/>
        <source>GAE λ</source>
        <translation>GAE λ</translation>
    </message>
    <message>
        <location filename="../../gui/pages/rlhf.py" line="172"/>
        <source>Value loss weight</source>
        <translation>價值損失權重</translation>
    </message>
    <message>
        <location filename="../../gui/pages/rlhf.py" line="173"/>
        <source>Steps per rollout</source>
        <translation>每批取樣的更新步數</translation>
    </message>
    <message>
        <location filename="../../gui/pages/rlhf.py" line="189"/>
        <source>Start</source>
        <translation>開始</translation>
    </message>
    <message>
        <location filename="../../gui/pages/rlhf.py" line="194"/>
        <source>#</source>
        <translation>#</translation>
    </message>
    <message>
        <location filename="../../gui/pages/rlhf.py" line="194"/>
        <source>Kind</source>
        <translation>類型</translation>
    </message>
    <message>
        <location filename="../../gui/pages/rlhf.py" line="194"/>
        <source>Prompt</source>
        <translation>提示</translation>
    </message>
    <message>
        <location filename="../../gui/pages/rlhf.py" line="204"/>
        <source>Judgements</source>
        <translation>評判</translation>
    </message>
    <message>
        <location filename="../../gui/pages/rlhf.py" line="205"/>
        <source>Runs</source>
        <translation>歷次執行</translation>
    </message>
    <message>
        <location filename="../../gui/pages/rlhf.py" line="206"/>
        <source>Log</source>
        <translation>記錄</translation>
    </message>
    <message>
        <location filename="../../gui/pages/rlhf.py" line="208"/>
        <source>Reward diagnostics</source>
        <translation>獎勵模型診斷</translation>
    </message>
    <message>
        <location filename="../../gui/pages/rlhf.py" line="233"/>
        <source>Open a workspace first.</source>
        <translation>請先開啟工作區。</translation>
    </message>
    <message>
        <location filename="../../gui/pages/rlhf.py" line="263"/>
        <source>Export preference pairs</source>
        <translation>匯出偏好資料</translation>
    </message>
    <message>
        <location filename="../../gui/pages/rlhf.py" line="263"/>
        <source>Import preference pairs</source>
        <translation>匯入偏好資料</translation>
    </message>
    <message>
        <location filename="../../gui/pages/rlhf.py" line="264"/>
        <source>JSON Lines (*.jsonl)</source>
        <translation>JSON Lines（*.jsonl）</translation>
    </message>
    <message>
        <location filename="../../gui/pages/rlhf.py" line="306"/>
        <source>Imported {0} pairs ({1} already there, {2} lines skipped).</source>
        <translation>已匯入 {0} 組（{1} 組已存在，略過 {2} 行）。</translation>
    </message>
    <message>
        <location filename="../../gui/pages/rlhf.py" line="316"/>
        <source>Exported {0} pairs to {1}.</source>
        <translation>已匯出 {0} 組到 {1}。</translation>
    </message>
    <message>
        <location filename="../../gui/pages/rlhf.py" line="323"/>
        <source>Imported {0} demo pairs ({1} already there).</source>
        <translation>已匯入 {0} 組示範資料（{1} 組已存在）。</translation>
    </message>
    <message>
        <location filename="../../gui/pages/rlhf.py" line="339"/>
        <source>{0} answers from {1} stored, ready to rank.</source>
        <translation>已儲存來自 {1} 的 {0} 個回答，可以開始排序。</translation>
    </message>
    <message>
        <location filename="../../gui/pages/rlhf.py" line="350"/>
        <source>No workspace.</source>
        <translation>沒有工作區。</translation>
    </message>
    <message>
        <location filename="../../gui/pages/rlhf.py" line="360"/>
        <source>{0} prompts, {1} answers; {2} rankings, {3} pairs, {4} thumbs → {5} training pairs.</source>
        <translation>{0} 個提示、{1} 個回答；{2} 個排序、{3} 組比較、{4} 個讚／倒讚 → {5} 組訓練資料。</translation>
    </message>
    <message>
        <location filename="../../gui/pages/rlhf.py" line="366"/>
        <source>Training imports the demo world&apos;s {0} preference pairs first.</source>
        <translation>訓練會先匯入示範世界的 {0} 組偏好配對。</translation>
    </message>
    <message>
        <location filename="../../gui/pages/rlhf.py" line="368"/>
        <source>ranking</source>
        <translation>排序</translation>
    </message>
    <message>
        <location filename="../../gui/pages/rlhf.py" line="368"/>
        <source>pair</source>
        <translation>比較</translation>
    </message>
    <message>
        <location filename="../../gui/pages/rlhf.py" line="368"/>
        <source>thumb</source>
        <translation>讚／倒讚</translation>
    </message>
</context>
<context>
    <name>RewardPanel</name>
    <message>
        <location filename="../../gui/insight/reward.py" line="24"/>
        <source>Reward diagnostics</source>
        <translation>獎勵模型診斷</translation>
    </message>
    <message>
        <location filename="../../gui/insight/reward.py" line="26"/>
        <source>Can the reward model be trusted, and is the policy gaming it? Left: the share of held-out pairs where the reward model scores the chosen answer higher, over training (orange; train in blue) — it should climb well above 0.5 and stay there, and a train accuracy far above it means memorised pairs. Right: each held-out answer&apos;s reward against its length in tokens; a strong correlation with an accuracy no better than &apos;always pick the longer answer&apos; means it learned length, not quality (either way: one that always prefers the shorter answer is as blind). Position bias: how often the answer shown first (left) won in people&apos;s judgements; about 0.5 is fair, an interval that excludes 0.5 means the order swayed the judges. Agreement: how often two people judged the same pair alike (kappa corrects for chance: 0 is chance, 1 is perfect) and how often the reward model sides with people. A red banner means that in the latest GRPO run reward, KL and answer length all rose together: the policy is likely padding its answers to please the reward model rather than getting better.</source>
        <translation>獎勵模型可信嗎？策略是否在鑽它的漏洞？左圖：在保留的成對資料中，獎勵模型給被選回答較高分數的比例，隨訓練變化（橘色；藍色為訓練集）——它應該爬升到遠高於 0.5 並維持在那裡；若訓練集準確率遠高於它，表示模型只是背下了成對資料。右圖：每個保留回答的獎勵對上它的長度（token 數）；若相關性很強，而準確率又不比「一律選較長的回答」好，表示它學到的是長度，而不是品質（反過來也一樣：一律偏好較短回答的模型同樣看不見品質）。位置偏差：在人們的評判中，先顯示（左邊）的回答勝出的比例；約 0.5 表示公平，若信賴區間不含 0.5，表示顯示順序影響了評審。一致性：兩個人對同一組回答判斷相同的比例（kappa 會扣除碰巧一致的部分：0 等於碰運氣，1 為完全一致），以及獎勵模型與人們意見相同的比例。紅色橫幅表示在最新一次 GRPO 執行中，獎勵、KL 與回答長度一起上升：策略很可能在灌水拉長回答來討好獎勵模型，而不是真的變好。</translation>
    </message>
    <message>
        <location filename="../../gui/insight/reward.py" line="45"/>
        <source>Most held-out pairs to score (0 = all)</source>
        <translation>最多要評分的保留成對資料數（0 = 全部）</translation>
    </message>
    <message>
        <location filename="../../gui/insight/reward.py" line="46"/>
        <source>Pairs</source>
        <translation>成對資料數</translation>
    </message>
    <message>
        <location filename="../../gui/insight/reward.py" line="56"/>
        <source>Pair accuracy over training</source>
        <translation>訓練過程中的成對準確率</translation>
    </message>
    <message>
        <location filename="../../gui/insight/reward.py" line="57"/>
        <source>step</source>
        <translation>步數</translation>
    </message>
    <message>
        <location filename="../../gui/insight/reward.py" line="60"/>
        <source>train</source>
        <translation>訓練</translation>
    </message>
    <message>
        <location filename="../../gui/insight/reward.py" line="68"/>
        <source>held-out</source>
        <translation>保留</translation>
    </message>
    <message>
        <location filename="../../gui/insight/reward.py" line="71"/>
        <source>Reward against answer length</source>
        <translation>獎勵對回答長度</translation>
    </message>
    <message>
        <location filename="../../gui/insight/reward.py" line="72"/>
        <source>answer length (tokens)</source>
        <translation>回答長度（token）</translation>
    </message>
    <message>
        <location filename="../../gui/insight/reward.py" line="73"/>
        <source>reward</source>
        <translation>獎勵</translation>
    </message>
    <message>
        <location filename="../../gui/insight/reward.py" line="99"/>
        <source>Reward run {0}: held-out pair accuracy {1} at the end of training ({2} measurements).</source>
        <translation>獎勵執行 {0}：訓練結束時的保留成對準確率為 {1}（共 {2} 次量測）。</translation>
    </message>
    <message>
        <location filename="../../gui/insight/reward.py" line="104"/>
        <source>&lt;b&gt;length-driven&lt;/b&gt;, towards longer answers</source>
        <translation>&lt;b&gt;受長度主導&lt;/b&gt;，偏向較長的回答</translation>
    </message>
    <message>
        <location filename="../../gui/insight/reward.py" line="106"/>
        <source>&lt;b&gt;length-driven&lt;/b&gt;, towards shorter answers</source>
        <translation>&lt;b&gt;受長度主導&lt;/b&gt;，偏向較短的回答</translation>
    </message>
    <message>
        <location filename="../../gui/insight/reward.py" line="107"/>
        <source>not length-driven</source>
        <translation>不受長度主導</translation>
    </message>
    <message>
        <location filename="../../gui/insight/reward.py" line="108"/>
        <source>too few pairs to judge</source>
        <translation>成對資料太少，無法判斷</translation>
    </message>
    <message>
        <location filename="../../gui/insight/reward.py" line="112"/>
        <source>Length: Spearman {0}, Pearson {1} between reward and length over {2} answers. On {3} held-out pairs the reward model is right {4}, always picking the longer answer would be right {5}, and the reward model prefers the longer answer in {6} of pairs of unequal length: {7}.</source>
        <translation>長度：在 {2} 個回答上，獎勵與長度的 Spearman 相關為 {0}、Pearson 相關為 {1}。在 {3} 組保留成對資料中，獎勵模型的正確率為 {4}，一律選較長回答的正確率為 {5}，而在長度不同的成對資料中，獎勵模型偏好較長回答的比例為 {6}：{7}。</translation>
    </message>
    <message>
        <location filename="../../gui/insight/reward.py" line="129"/>
        <source>Position bias: the answer shown first won {0} of {1} comparisons ({2}, 95% interval {3}–{4}) from {5} judgements: {6}.</source>
        <translation>位置偏差：先顯示的回答在 {1} 次比較中勝出 {0} 次（{2}，95% 信賴區間 {3}–{4}），來自 {5} 筆評判：{6}。</translation>
    </message>
    <message>
        <location filename="../../gui/insight/reward.py" line="138"/>
        <source>&lt;b&gt;biased&lt;/b&gt;</source>
        <translation>&lt;b&gt;有偏差&lt;/b&gt;</translation>
    </message>
    <message>
        <location filename="../../gui/insight/reward.py" line="138"/>
        <source>no clear bias</source>
        <translation>沒有明顯偏差</translation>
    </message>
    <message>
        <location filename="../../gui/insight/reward.py" line="144"/>
        <source>Position bias: no judgement by a person records the order its answers were shown in yet (rank answers on the Compare page).</source>
        <translation>位置偏差：還沒有任何人的評判記錄回答的顯示順序（請到「比較」頁面排序回答）。</translation>
    </message>
    <message>
        <location filename="../../gui/insight/reward.py" line="149"/>
        <source>Cohen&apos;s kappa</source>
        <translation>Cohen&apos;s kappa</translation>
    </message>
    <message>
        <location filename="../../gui/insight/reward.py" line="149"/>
        <source>Fleiss&apos; kappa</source>
        <translation>Fleiss&apos; kappa</translation>
    </message>
    <message>
        <location filename="../../gui/insight/reward.py" line="152"/>
        <source>Agreement between people: {0} of {1} answer pairs judged alike by {2} judges; {3} {4}.</source>
        <translation>人與人之間的一致性：{1} 組回答中有 {0} 的比例被 {2} 位評審判斷相同；{3} 為 {4}。</translation>
    </message>
    <message>
        <location filename="../../gui/insight/reward.py" line="157"/>
        <source>Agreement between people: no answer pair has been judged by two or more people yet.</source>
        <translation>人與人之間的一致性：還沒有任何一組回答被兩個以上的人評判過。</translation>
    </message>
    <message>
        <location filename="../../gui/insight/reward.py" line="163"/>
        <source> ({0} on the {1} it did not train on)</source>
        <translation>（在它沒訓練過的 {1} 組上為 {0}）</translation>
    </message>
    <message>
        <location filename="../../gui/insight/reward.py" line="168"/>
        <source>Reward model against people: it sides with the person on {0} of {1} pairs{2}.</source>
        <translation>獎勵模型與人的比較：在 {1} 組成對資料中，它與人意見相同的比例為 {0}{2}。</translation>
    </message>
    <message>
        <location filename="../../gui/insight/reward.py" line="173"/>
        <source>Reward model against people: no pair judged by a person yet.</source>
        <translation>獎勵模型與人的比較：還沒有人評判過任何成對回答。</translation>
    </message>
    <message>
        <location filename="../../gui/insight/reward.py" line="178"/>
        <source>Over-optimisation: in {0} the reward model&apos;s score keeps rising while the gold reward (the demo&apos;s rules) fell from {1} at step {2} to {3}. The policy is exploiting the reward model.</source>
        <translation>過度最佳化：在 {0} 中，獎勵模型的分數持續上升，黃金獎勵（示範世界的規則）卻從第 {2} 步的 {1} 降到 {3}。策略正在鑽獎勵模型的漏洞。</translation>
    </message>
    <message>
        <location filename="../../gui/insight/reward.py" line="187"/>
        <source>Reward hacking? In {0} reward, KL and answer length have risen together since step {1} (length +{2}%). Read its answers before trusting the reward.</source>
        <translation>獎勵駭客？在 {0} 中，獎勵、KL 與回答長度自第 {1} 步起一起上升（長度 +{2}%）。信任這個獎勵之前，請先讀讀它的回答。</translation>
    </message>
    <message>
        <location filename="../../gui/insight/reward.py" line="196"/>
        <source>Reward-hacking alarm: quiet in {0}.</source>
        <translation>獎勵駭客警報：{0} 中一切平靜。</translation>
    </message>
    <message>
        <location filename="../../gui/insight/reward.py" line="198"/>
        <source>Reward-hacking alarm: no GRPO or PPO run with reward, KL and length to watch yet.</source>
        <translation>獎勵駭客警報：還沒有記錄獎勵、KL 與長度的 GRPO 或 PPO 執行可供監看。</translation>
    </message>
</context>
<context>
    <name>RunsTable</name>
    <message>
        <location filename="../../gui/widgets/runs_table.py" line="37"/>
        <source>Run</source>
        <translation>執行</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/runs_table.py" line="37"/>
        <source>Status</source>
        <translation>狀態</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/runs_table.py" line="37"/>
        <source>Steps</source>
        <translation>步數</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/runs_table.py" line="37"/>
        <source>Val loss</source>
        <translation>驗證損失</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/runs_table.py" line="37"/>
        <source>Started from</source>
        <translation>起點</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/runs_table.py" line="45"/>
        <source>Resume selected run</source>
        <translation>繼續所選的執行</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/runs_table.py" line="47"/>
        <source>Overlay on graph</source>
        <translation>疊加到圖表</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/runs_table.py" line="50"/>
        <source>Export for a cluster…</source>
        <translation>匯出到叢集…</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/runs_table.py" line="52"/>
        <source>Write this run&apos;s config and the torchrun / Slurm commands that train it on many GPUs.</source>
        <translation>寫出這次訓練的設定，以及在多張 GPU 上訓練它的 torchrun／Slurm 指令。</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/runs_table.py" line="110"/>
        <source>scratch</source>
        <translation>從頭開始</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/runs_table.py" line="112"/>
        <source>{0} @ step {1}</source>
        <translation>{0} 第 {1} 步</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/runs_table.py" line="116"/>
        <source>done</source>
        <translation>已完成</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/runs_table.py" line="117"/>
        <source>running</source>
        <translation>執行中</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/runs_table.py" line="118"/>
        <source>interrupted</source>
        <translation>已中斷</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/runs_table.py" line="119"/>
        <source>stopped</source>
        <translation>已停止</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/runs_table.py" line="120"/>
        <source>failed</source>
        <translation>失敗</translation>
    </message>
</context>
<context>
    <name>SFTPage</name>
    <message>
        <location filename="../../gui/pages/sft.py" line="44"/>
        <source>SFT</source>
        <translation>SFT</translation>
    </message>
    <message>
        <location filename="../../gui/pages/sft.py" line="46"/>
        <source>Supervised fine-tuning: the pretrained model reads questions and good answers in the chat template, learning to answer and when to stop. Only the answers&apos; tokens (highlighted below) carry the loss.</source>
        <translation>監督式微調：預訓練好的模型以對話範本閱讀問題與好的回答，學會如何回答以及何時停止。只有回答的 token（下方標示處）計算損失。</translation>
    </message>
    <message>
        <location filename="../../gui/pages/sft.py" line="55"/>
        <source>Data</source>
        <translation>資料</translation>
    </message>
    <message>
        <location filename="../../gui/pages/sft.py" line="56"/>
        <source>Method</source>
        <translation>方法</translation>
    </message>
    <message>
        <location filename="../../gui/pages/sft.py" line="57"/>
        <source>Budget</source>
        <translation>預算</translation>
    </message>
    <message>
        <location filename="../../gui/pages/sft.py" line="58"/>
        <source>Training</source>
        <translation>訓練</translation>
    </message>
    <message>
        <location filename="../../gui/pages/sft.py" line="61"/>
        <source>Start from run</source>
        <translation>起始執行</translation>
    </message>
    <message>
        <location filename="../../gui/pages/sft.py" line="62"/>
        <source>Data file</source>
        <translation>資料檔</translation>
    </message>
    <message>
        <location filename="../../gui/pages/sft.py" line="63"/>
        <source>Examples</source>
        <translation>範例</translation>
    </message>
    <message>
        <location filename="../../gui/pages/sft.py" line="64"/>
        <source>How many</source>
        <translation>數量</translation>
    </message>
    <message>
        <location filename="../../gui/pages/sft.py" line="65"/>
        <source>Loss on</source>
        <translation>損失計算於</translation>
    </message>
    <message>
        <location filename="../../gui/pages/sft.py" line="66"/>
        <source>LoRA</source>
        <translation>LoRA</translation>
    </message>
    <message>
        <location filename="../../gui/pages/sft.py" line="67"/>
        <source>LoRA rank</source>
        <translation>LoRA 秩</translation>
    </message>
    <message>
        <location filename="../../gui/pages/sft.py" line="68"/>
        <source>LoRA alpha</source>
        <translation>LoRA alpha</translation>
    </message>
    <message>
        <location filename="../../gui/pages/sft.py" line="69"/>
        <source>Steps</source>
        <translation>步數</translation>
    </message>
    <message>
        <location filename="../../gui/pages/sft.py" line="70"/>
        <source>Minutes</source>
        <translation>分鐘數</translation>
    </message>
    <message>
        <location filename="../../gui/pages/sft.py" line="71"/>
        <source>Batch size</source>
        <translation>批次大小</translation>
    </message>
    <message>
        <location filename="../../gui/pages/sft.py" line="72"/>
        <source>Learning rate</source>
        <translation>學習率</translation>
    </message>
    <message>
        <location filename="../../gui/pages/sft.py" line="73"/>
        <source>Validate every</source>
        <translation>驗證間隔</translation>
    </message>
    <message>
        <location filename="../../gui/pages/sft.py" line="74"/>
        <source>Answer prompts every</source>
        <translation>回答提示間隔</translation>
    </message>
    <message>
        <location filename="../../gui/pages/sft.py" line="75"/>
        <source>Evaluation prompts</source>
        <translation>評估提示數</translation>
    </message>
    <message>
        <location filename="../../gui/pages/sft.py" line="80"/>
        <source>Start fine-tuning</source>
        <translation>開始微調</translation>
    </message>
    <message>
        <location filename="../../gui/pages/sft.py" line="97"/>
        <source>Step</source>
        <translation>步數</translation>
    </message>
    <message>
        <location filename="../../gui/pages/sft.py" line="97"/>
        <source>Prompt</source>
        <translation>提示</translation>
    </message>
    <message>
        <location filename="../../gui/pages/sft.py" line="97"/>
        <source>Answer</source>
        <translation>回答</translation>
    </message>
    <message>
        <location filename="../../gui/pages/sft.py" line="105"/>
        <source>Answers to evaluation prompts</source>
        <translation>評估提示的回答</translation>
    </message>
    <message>
        <location filename="../../gui/pages/sft.py" line="106"/>
        <source>Template preview</source>
        <translation>範本預覽</translation>
    </message>
    <message>
        <location filename="../../gui/pages/sft.py" line="107"/>
        <source>Log</source>
        <translation>記錄</translation>
    </message>
    <message>
        <location filename="../../gui/pages/sft.py" line="111"/>
        <source>Runs</source>
        <translation>歷次執行</translation>
    </message>
    <message>
        <location filename="../../gui/pages/sft.py" line="113"/>
        <source>Template inspector</source>
        <translation>模板檢視器</translation>
    </message>
    <message>
        <location filename="../../gui/pages/sft.py" line="120"/>
        <source>Open a workspace first.</source>
        <translation>請先開啟工作區。</translation>
    </message>
    <message>
        <location filename="../../gui/pages/sft.py" line="163"/>
        <source>The base model ({run}) knows {share} of its facts: it predicts that share of the facts in its training biographies (each fact&apos;s first token, from the text before it). Fine-tuning teaches it to say what it knows; it cannot add what pretraining did not store.</source>
        <translation>基礎模型（{run}）知道它 {share} 的事實：它能從訓練傳記中每個事實之前的文字，預測出這個比例的事實（每個事實的第一個 token）。微調教它說出已知的事，卻無法補上預訓練沒有記住的知識。</translation>
    </message>
    <message>
        <location filename="../../gui/pages/sft.py" line="192"/>
        <source>Train the tokenizer and pretrain first.</source>
        <translation>請先訓練分詞器並完成預訓練。</translation>
    </message>
</context>
<context>
    <name>SamplesView</name>
    <message>
        <location filename="../../gui/widgets/samples.py" line="17"/>
        <source>Samples appear here while the model trains.</source>
        <translation>模型訓練期間，生成的樣本會顯示在這裡。</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/samples.py" line="32"/>
        <source>step</source>
        <translation>步數</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <location filename="../../gui/settings_dialog.py" line="31"/>
        <source>Settings</source>
        <translation>設定</translation>
    </message>
    <message>
        <location filename="../../gui/settings_dialog.py" line="36"/>
        <source>auto (best available: {0})</source>
        <translation>自動（最佳可用裝置：{0}）</translation>
    </message>
    <message>
        <location filename="../../gui/settings_dialog.py" line="42"/>
        <source>automatic</source>
        <translation>自動</translation>
    </message>
    <message>
        <location filename="../../gui/settings_dialog.py" line="49"/>
        <source>Light</source>
        <translation>淺色</translation>
    </message>
    <message>
        <location filename="../../gui/settings_dialog.py" line="50"/>
        <source>Dark</source>
        <translation>深色</translation>
    </message>
    <message>
        <location filename="../../gui/settings_dialog.py" line="52"/>
        <source>Device</source>
        <translation>裝置</translation>
    </message>
    <message>
        <location filename="../../gui/settings_dialog.py" line="53"/>
        <source>CPU threads</source>
        <translation>CPU 執行緒</translation>
    </message>
    <message>
        <location filename="../../gui/settings_dialog.py" line="54"/>
        <source>Language</source>
        <translation>語言</translation>
    </message>
    <message>
        <location filename="../../gui/settings_dialog.py" line="55"/>
        <source>Theme</source>
        <translation>主題</translation>
    </message>
    <message>
        <location filename="../../gui/settings_dialog.py" line="56"/>
        <source>Language changes take effect when LM Dojo is restarted.</source>
        <translation>變更語言後，需重新啟動 LM Dojo 才會生效。</translation>
    </message>
</context>
<context>
    <name>ShiftTab</name>
    <message>
        <location filename="../../gui/pages/compare_tabs.py" line="209"/>
        <source>The aligned model answers; at each of its tokens the base model is asked what it would have said. Unshifted: the base model&apos;s first choice too; marginal: its second or third; shifted (red): alignment put it there. Hover a token for the base model&apos;s top choices.</source>
        <translation>對齊後的模型作答；在它的每個 token 上，詢問基礎模型原本會說什麼。未偏移：也是基礎模型的第一選擇；邊際：它的第二或第三選擇；偏移（紅色）：是對齊讓它出現在那裡。將滑鼠移到 token 上可看到基礎模型的首選。</translation>
    </message>
    <message>
        <location filename="../../gui/pages/compare_tabs.py" line="220"/>
        <source>Analyse the prompt list</source>
        <translation>分析提示清單</translation>
    </message>
    <message>
        <location filename="../../gui/pages/compare_tabs.py" line="229"/>
        <source>Base</source>
        <translation>基礎</translation>
    </message>
    <message>
        <location filename="../../gui/pages/compare_tabs.py" line="231"/>
        <source>Aligned</source>
        <translation>對齊後</translation>
    </message>
    <message>
        <location filename="../../gui/pages/compare_tabs.py" line="266"/>
        <source>Analysing {0} prompts…</source>
        <translation>正在分析 {0} 個提示…</translation>
    </message>
    <message>
        <location filename="../../gui/pages/compare_tabs.py" line="280"/>
        <source>Unshifted {0:.0%} · marginal {1:.0%} · shifted {2:.0%} of {3} tokens. Most shifted: {4}</source>
        <translation>{3} 個 token 中：未偏移 {0:.0%} · 邊際 {1:.0%} · 偏移 {2:.0%}。最常偏移：{4}</translation>
    </message>
</context>
<context>
    <name>StartPage</name>
    <message>
        <location filename="../../gui/pages/start.py" line="38"/>
        <source>Train a small language model through every stage that chat models go through: data, tokenizer, pretraining, fine-tuning and RLHF — on this computer.</source>
        <translation>訓練一個小型語言模型，走過聊天模型經歷的每一個階段：資料、分詞器、預訓練、微調與 RLHF——全部在這台電腦上完成。</translation>
    </message>
    <message>
        <location filename="../../gui/pages/start.py" line="43"/>
        <source>Run the whole story (about 15 minutes)</source>
        <translation>跑完整個故事（約 15 分鐘）</translation>
    </message>
    <message>
        <location filename="../../gui/pages/start.py" line="47"/>
        <source>For a first time: every stage once on the demo world, each introduced and ending on its evidence, sized for this computer; in the folder &apos;LM Dojo story&apos; of your documents. Closed midway, it resumes.</source>
        <translation>第一次使用時：在示範世界上把每個階段各跑一次，每段先說明重點、最後呈現證據，規模依這台電腦的速度而定；放在「文件」裡的「LM Dojo story」資料夾。中途關閉也能接著跑。</translation>
    </message>
    <message>
        <location filename="../../gui/pages/start.py" line="53"/>
        <source>New workspace with the demo world…</source>
        <translation>以示範世界建立工作區…</translation>
    </message>
    <message>
        <location filename="../../gui/pages/start.py" line="55"/>
        <source>A generated bilingual world of fictional people: ready to train</source>
        <translation>自動產生、由虛構人物組成的雙語世界：可以直接開始訓練</translation>
    </message>
    <message>
        <location filename="../../gui/pages/start.py" line="56"/>
        <source>New empty workspace…</source>
        <translation>建立空白工作區…</translation>
    </message>
    <message>
        <location filename="../../gui/pages/start.py" line="57"/>
        <source>Open workspace…</source>
        <translation>開啟工作區…</translation>
    </message>
    <message>
        <location filename="../../gui/pages/start.py" line="75"/>
        <source>Recent workspaces (double-click to open):</source>
        <translation>最近使用的工作區（按兩下開啟）：</translation>
    </message>
    <message>
        <location filename="../../gui/pages/start.py" line="101"/>
        <source>Choose a folder for the new workspace</source>
        <translation>選擇新工作區的資料夾</translation>
    </message>
    <message>
        <location filename="../../gui/pages/start.py" line="107"/>
        <source>Open a workspace folder</source>
        <translation>開啟工作區資料夾</translation>
    </message>
</context>
<context>
    <name>Story</name>
    <message>
        <location filename="../../gui/story.py" line="19"/>
        <source>Data</source>
        <translation>資料</translation>
    </message>
    <message>
        <location filename="../../gui/story.py" line="20"/>
        <source>A model is what it reads: web text is full of boilerplate, duplicates and junk. Cleaning keeps the documents worth learning from; the funnel shows what each step removed and why.</source>
        <translation>模型讀什麼就成為什麼：網路文字充滿樣板、重複與垃圾。清理留下值得學的文件；漏斗圖顯示每一步移除了什麼、為什麼。</translation>
    </message>
    <message>
        <location filename="../../gui/story.py" line="27"/>
        <source>Tokenizer</source>
        <translation>分詞器</translation>
    </message>
    <message>
        <location filename="../../gui/story.py" line="28"/>
        <source>A model reads tokens, not characters: byte-level BPE merges frequent byte pairs into a vocabulary. Common words become one token; a rare Chinese character may take several.</source>
        <translation>模型讀的是 token，不是字元：位元組層級的 BPE 把常見的位元組組合併成詞彙表。常見的詞變成一個 token；罕見的中文字可能要好幾個。</translation>
    </message>
    <message>
        <location filename="../../gui/story.py" line="35"/>
        <source>Pretraining</source>
        <translation>預訓練</translation>
    </message>
    <message>
        <location filename="../../gui/story.py" line="36"/>
        <source>Next-token prediction over and over: the loss falls as the model learns the language and the facts of its world. It does not answer questions yet; it continues text.</source>
        <translation>一次又一次地預測下一個 token：模型學會語言和它那個世界的事實，損失隨之下降。它還不會回答問題，只會接續文字。</translation>
    </message>
    <message>
        <location filename="../../gui/story.py" line="43"/>
        <source>SFT</source>
        <translation>SFT</translation>
    </message>
    <message>
        <location filename="../../gui/story.py" line="44"/>
        <source>Fine-tuning on questions and good answers in the chat template teaches the model to answer and to stop. It cannot add what pretraining did not store: it teaches how to say it.</source>
        <translation>用對話範本中的問題與好答案微調，教模型回答並適時停下。它無法補上預訓練沒記住的東西：它教的是怎麼說出來。</translation>
    </message>
    <message>
        <location filename="../../gui/story.py" line="51"/>
        <source>RLHF</source>
        <translation>RLHF</translation>
    </message>
    <message>
        <location filename="../../gui/story.py" line="52"/>
        <source>The model answers, a judge scores, and the model is pushed toward what scored well (GRPO). RL re-weights what the model can already say: refusals, endings, and the judge&apos;s loopholes.</source>
        <translation>模型回答、評審打分，模型被推向高分的回答（GRPO）。強化學習重新分配模型本來就說得出的東西：拒絕、結尾，以及評審的漏洞。</translation>
    </message>
</context>
<context>
    <name>StoryBar</name>
    <message>
        <location filename="../../gui/story.py" line="77"/>
        <source>Resume the story</source>
        <translation>繼續故事</translation>
    </message>
    <message>
        <location filename="../../gui/story.py" line="83"/>
        <source>Hide</source>
        <translation>隱藏</translation>
    </message>
    <message>
        <location filename="../../gui/story.py" line="107"/>
        <source>The whole story: starting…</source>
        <translation>整個故事：開始中…</translation>
    </message>
    <message>
        <location filename="../../gui/story.py" line="118"/>
        <source>&lt;b&gt;The whole story · {0} of {1}: {2}&lt;/b&gt;</source>
        <translation>&lt;b&gt;整個故事 · 第 {0} / {1} 章：{2}&lt;/b&gt;</translation>
    </message>
    <message>
        <location filename="../../gui/story.py" line="126"/>
        <source>The story stopped with an error: {0}</source>
        <translation>故事因錯誤而停止：{0}</translation>
    </message>
    <message>
        <location filename="../../gui/story.py" line="128"/>
        <source>&lt;b&gt;The whole story is told.&lt;/b&gt;</source>
        <translation>&lt;b&gt;整個故事說完了。&lt;/b&gt;</translation>
    </message>
    <message>
        <location filename="../../gui/story.py" line="131"/>
        <source>Every stage ran once. On Compare, the pretrained and the fine-tuned model answer the same question side by side: ask one about a person of the demo world, and say which answer is better.</source>
        <translation>每個階段都跑過一次。在「比較」頁，預訓練和微調後的模型並排回答同一個問題：問一個示範世界裡的人物，然後說哪個回答比較好。</translation>
    </message>
    <message>
        <location filename="../../gui/story.py" line="136"/>
        <source>Stopped. Run the whole story again from the start screen to resume here.</source>
        <translation>已停止。從開始畫面再按一次「跑完整個故事」即可從這裡繼續。</translation>
    </message>
</context>
<context>
    <name>TaxPanel</name>
    <message>
        <location filename="../../gui/insight/tax.py" line="28"/>
        <source>Alignment tax</source>
        <translation>對齊稅</translation>
    </message>
    <message>
        <location filename="../../gui/insight/tax.py" line="30"/>
        <source>What each stage gains and what it costs, side by side. KL to the base: how far the model&apos;s word choices on its own answers have moved from the pretrained model (0 for the base itself; the further a stage drifts, the larger). Perplexity: how well it still predicts held-out pretraining text, the same text for every stage (lower is better; a rise after SFT or RLHF is forgetting, the alignment tax). QA accuracy: the share of held-out demo questions answered with the right fact. A good alignment raises accuracy with a small KL and little rise in perplexity; a large KL with no gain in accuracy is tax without benefit.</source>
        <translation>並排呈現每個階段得到了什麼、又付出了什麼代價。與基礎模型的 KL：模型在自己的回答上選字的方式離預訓練模型有多遠（基礎模型本身為 0；某個階段偏離得越多，數值越大）。困惑度：模型對保留的預訓練文本還預測得多好，每個階段用的都是同一份文本（越低越好；若在 SFT 或 RLHF 之後上升，表示模型正在遺忘，這就是對齊稅）。問答正確率：保留的示範問題中，回答含有正確事實的比例。好的對齊會提高正確率，同時 KL 小、困惑度幾乎不升；KL 很大而正確率沒有提升，就是只繳稅而沒有收穫。</translation>
    </message>
    <message>
        <location filename="../../gui/insight/tax.py" line="44"/>
        <source>Held-out demo questions for KL and QA accuracy</source>
        <translation>用來計算 KL 與問答正確率的保留示範問題數</translation>
    </message>
    <message>
        <location filename="../../gui/insight/tax.py" line="49"/>
        <source>Validation batches for the perplexity</source>
        <translation>用來計算困惑度的驗證批次數</translation>
    </message>
    <message>
        <location filename="../../gui/insight/tax.py" line="51"/>
        <source>Questions</source>
        <translation>問題數</translation>
    </message>
    <message>
        <location filename="../../gui/insight/tax.py" line="51"/>
        <source>Validation batches</source>
        <translation>驗證批次</translation>
    </message>
    <message>
        <location filename="../../gui/insight/tax.py" line="56"/>
        <source>Stage</source>
        <translation>階段</translation>
    </message>
    <message>
        <location filename="../../gui/insight/tax.py" line="57"/>
        <source>Run</source>
        <translation>訓練紀錄</translation>
    </message>
    <message>
        <location filename="../../gui/insight/tax.py" line="58"/>
        <source>KL to the base</source>
        <translation>與基礎模型的 KL</translation>
    </message>
    <message>
        <location filename="../../gui/insight/tax.py" line="59"/>
        <source>Perplexity</source>
        <translation>困惑度</translation>
    </message>
    <message>
        <location filename="../../gui/insight/tax.py" line="60"/>
        <source>QA accuracy</source>
        <translation>問答正確率</translation>
    </message>
    <message>
        <location filename="../../gui/insight/tax.py" line="109"/>
        <source>KL measured to {0}, on {1} held-out questions; perplexity on {2} validation windows.</source>
        <translation>KL 以 {0} 為參考，在 {1} 個保留問題上量測；困惑度以 {2} 個驗證窗口計算。</translation>
    </message>
</context>
<context>
    <name>TemplatePanel</name>
    <message>
        <location filename="../../gui/insight/template.py" line="56"/>
        <source>Template inspector</source>
        <translation>模板檢視器</translation>
    </message>
    <message>
        <location filename="../../gui/insight/template.py" line="58"/>
        <source>One training example as the SFT stage feeds it to the model, token by token. Green tokens carry the loss: the model is taught to write them. Grey tokens are only read. Special tokens (the role markers &amp;lt;|user|&amp;gt; and &amp;lt;|assistant|&amp;gt;, the end-of-turn &amp;lt;|end|&amp;gt;) are shown in bold; spaces show as · and line breaks as ↵. Normally only the answer and its &amp;lt;|end|&amp;gt; are green: the model learns what to answer and when to stop. Below, the prompt that generation sends for the same question, blue where it matches what the model saw before the answer in training and red from the first difference on. A difference (another format, a missing system message, a run trained with empty prompts) or an untrained &amp;lt;|end|&amp;gt; is the usual reason a model &quot;repeats itself&quot;; the warnings in red name the first differing token.</source>
        <translation>一筆訓練樣本，照 SFT 階段餵給模型的樣子，逐個 token 顯示。綠色 token 帶有損失：模型被教著寫出它們；灰色 token 只被讀取。特殊 token（角色標記 &amp;lt;|user|&amp;gt; 與 &amp;lt;|assistant|&amp;gt;、回合結束的 &amp;lt;|end|&amp;gt;）以粗體顯示；空格顯示為 ·，換行顯示為 ↵。正常情況下只有回答與它的 &amp;lt;|end|&amp;gt; 是綠色：模型學到要回答什麼、何時停下。下方是生成時為同一個問題送出的提示，和訓練時模型在回答前看到的內容相同之處為藍色，從第一個不同的 token 起為紅色。兩者不同（換了格式、少了系統訊息、用空白提示訓練的執行），或 &amp;lt;|end|&amp;gt; 沒有被訓練，是模型「一直重複自己」最常見的原因；紅色警告會指出第一個不同的 token。</translation>
    </message>
    <message>
        <location filename="../../gui/insight/template.py" line="74"/>
        <source>Which example of the split (0 is the first)</source>
        <translation>這個分割中的第幾筆樣本（0 是第一筆）</translation>
    </message>
    <message>
        <location filename="../../gui/insight/template.py" line="77"/>
        <source>Training</source>
        <translation>訓練</translation>
    </message>
    <message>
        <location filename="../../gui/insight/template.py" line="78"/>
        <source>Validation</source>
        <translation>驗證</translation>
    </message>
    <message>
        <location filename="../../gui/insight/template.py" line="81"/>
        <source>Chat template (what the app sends)</source>
        <translation>聊天模板（本程式送出的格式）</translation>
    </message>
    <message>
        <location filename="../../gui/insight/template.py" line="82"/>
        <source>Plain text (User: … Assistant:)</source>
        <translation>純文字（User: … Assistant:）</translation>
    </message>
    <message>
        <location filename="../../gui/insight/template.py" line="83"/>
        <source>How generation renders the prompt</source>
        <translation>生成時如何組出提示</translation>
    </message>
    <message>
        <location filename="../../gui/insight/template.py" line="84"/>
        <source>Example</source>
        <translation>樣本</translation>
    </message>
    <message>
        <location filename="../../gui/insight/template.py" line="88"/>
        <source>Generation format</source>
        <translation>生成格式</translation>
    </message>
    <message>
        <location filename="../../gui/insight/template.py" line="96"/>
        <location filename="../../gui/insight/template.py" line="160"/>
        <source>trained</source>
        <translation>受訓練</translation>
    </message>
    <message>
        <location filename="../../gui/insight/template.py" line="97"/>
        <location filename="../../gui/insight/template.py" line="160"/>
        <source>masked</source>
        <translation>被遮蔽</translation>
    </message>
    <message>
        <location filename="../../gui/insight/template.py" line="98"/>
        <source>special token</source>
        <translation>特殊 token</translation>
    </message>
    <message>
        <location filename="../../gui/insight/template.py" line="99"/>
        <source>prompt as trained</source>
        <translation>提示與訓練相同</translation>
    </message>
    <message>
        <location filename="../../gui/insight/template.py" line="100"/>
        <source>prompt differs</source>
        <translation>提示不同</translation>
    </message>
    <message>
        <location filename="../../gui/insight/template.py" line="101"/>
        <source>+ : part of a character, shown on its last token</source>
        <translation>+：字元的一部分，字元顯示在它的最後一個 token 上</translation>
    </message>
    <message>
        <location filename="../../gui/insight/template.py" line="138"/>
        <source>SFT run {0}</source>
        <translation>SFT 執行 {0}</translation>
    </message>
    <message>
        <location filename="../../gui/insight/template.py" line="140"/>
        <source>No SFT run yet: the workspace&apos;s SFT data with the default settings.</source>
        <translation>還沒有 SFT 執行：使用工作區的 SFT 資料與預設設定。</translation>
    </message>
    <message>
        <location filename="../../gui/insight/template.py" line="143"/>
        <source>example {0} of {1} ({2})</source>
        <translation>第 {0} 筆，共 {1} 筆（{2}）</translation>
    </message>
    <message>
        <location filename="../../gui/insight/template.py" line="145"/>
        <source>the given messages</source>
        <translation>給定的訊息</translation>
    </message>
    <message>
        <location filename="../../gui/insight/template.py" line="147"/>
        <source>{0} tokens: {1} trained, {2} masked.</source>
        <translation>{0} 個 token：{1} 個受訓練，{2} 個被遮蔽。</translation>
    </message>
    <message>
        <location filename="../../gui/insight/template.py" line="151"/>
        <source>Cut at the model&apos;s context of {0} tokens.</source>
        <translation>在模型 {0} 個 token 的上下文長度處被截斷。</translation>
    </message>
    <message>
        <location filename="../../gui/insight/template.py" line="178"/>
        <source>First difference at token {0}: trained {1}, generation {2}.</source>
        <translation>第一個不同處在第 {0} 個 token：訓練時是 {1}，生成時是 {2}。</translation>
    </message>
    <message>
        <location filename="../../gui/insight/template.py" line="182"/>
        <source>Token for token the same as what the model saw before the answer in training.</source>
        <translation>逐個 token 都和訓練時模型在回答前看到的相同。</translation>
    </message>
    <message>
        <location filename="../../gui/insight/template.py" line="186"/>
        <source>Only the system message differs, and the training examples mix both ways ({0} with one), so the model has seen both.</source>
        <translation>只有系統訊息不同，而訓練樣本兩種都有（{0} 帶系統訊息），所以模型兩種都看過。</translation>
    </message>
    <message>
        <location filename="../../gui/insight/template.py" line="207"/>
        <source>No warnings: generation sends what the model saw in training, and every answer ends with a trained end-of-turn token.</source>
        <translation>沒有警告：生成時送出的正是模型在訓練時看到的內容，而且每個回答都以受訓練的回合結束 token 收尾。</translation>
    </message>
</context>
<context>
    <name>TimelinePanel</name>
    <message>
        <location filename="../../gui/insight/timeline.py" line="38"/>
        <source>Checkpoint timeline</source>
        <translation>檢查點時間軸</translation>
    </message>
    <message>
        <location filename="../../gui/insight/timeline.py" line="40"/>
        <source>The same prompts answered by every saved checkpoint of one model&apos;s history, from the first pretraining checkpoint through SFT to preference tuning, greedily, so only the weights differ. Move the slider from checkpoint to checkpoint: text that appeared since the previous checkpoint is highlighted green, text that disappeared is red and struck through. Early pretraining answers are noise, then words, then sentences that never stop; after SFT the answers take the assistant&apos;s shape and end; preference tuning mostly changes the wording. Many changes late in a run mean the model is still learning, or unstable.</source>
        <translation>同一組提示由某個模型歷程中每個已儲存的檢查點回答，從第一個預訓練檢查點，經過 SFT，到偏好調整；一律使用貪婪解碼，因此唯一的差別是權重。拖動滑桿在檢查點之間移動：自上一個檢查點以來新出現的文字以綠色標示，消失的文字以紅色加刪除線標示。預訓練初期的回答是雜訊，接著出現詞語，然後是停不下來的句子；SFT 之後回答有了助理的樣子並會結束；偏好調整大多只改變措辭。訓練後期仍有許多改變，表示模型還在學習，或是不穩定。</translation>
    </message>
    <message>
        <location filename="../../gui/insight/timeline.py" line="54"/>
        <source>How many prompts every checkpoint answers</source>
        <translation>每個檢查點要回答幾個提示</translation>
    </message>
    <message>
        <location filename="../../gui/insight/timeline.py" line="59"/>
        <source>Longest answer in tokens</source>
        <translation>回答最長的 token 數</translation>
    </message>
    <message>
        <location filename="../../gui/insight/timeline.py" line="62"/>
        <source>held-out demo questions</source>
        <translation>保留的示範問題</translation>
    </message>
    <message>
        <location filename="../../gui/insight/timeline.py" line="64"/>
        <source>A prompt file: JSONL with &quot;messages&quot; or &quot;prompt&quot;, or one prompt per line</source>
        <translation>提示檔：每行含 &quot;messages&quot; 或 &quot;prompt&quot; 的 JSONL，或每行一個提示的純文字檔</translation>
    </message>
    <message>
        <location filename="../../gui/insight/timeline.py" line="68"/>
        <source>Choose a prompt file</source>
        <translation>選擇提示檔</translation>
    </message>
    <message>
        <location filename="../../gui/insight/timeline.py" line="72"/>
        <source>Prompts</source>
        <translation>提示數</translation>
    </message>
    <message>
        <location filename="../../gui/insight/timeline.py" line="74"/>
        <source>Answer tokens</source>
        <translation>回答 token 數</translation>
    </message>
    <message>
        <location filename="../../gui/insight/timeline.py" line="76"/>
        <location filename="../../gui/insight/timeline.py" line="110"/>
        <source>Prompt file</source>
        <translation>提示檔</translation>
    </message>
    <message>
        <location filename="../../gui/insight/timeline.py" line="110"/>
        <source>Prompts (*.jsonl *.txt);;All files (*)</source>
        <translation>提示 (*.jsonl *.txt);;所有檔案 (*)</translation>
    </message>
    <message>
        <location filename="../../gui/insight/timeline.py" line="131"/>
        <source>{0} · {1} · step {2}</source>
        <translation>{0} · {1} · 第 {2} 步</translation>
    </message>
    <message>
        <location filename="../../gui/insight/timeline.py" line="133"/>
        <source>({0} of {1})</source>
        <translation>（第 {0} 個，共 {1} 個）</translation>
    </message>
    <message>
        <location filename="../../gui/insight/timeline.py" line="136"/>
        <source>The first checkpoint: nothing to compare with yet.</source>
        <translation>第一個檢查點：還沒有可以比較的對象。</translation>
    </message>
    <message>
        <location filename="../../gui/insight/timeline.py" line="138"/>
        <source>{0} of {1} answers changed since the previous checkpoint.</source>
        <translation>與上一個檢查點相比，{1} 個回答中有 {0} 個改變了。</translation>
    </message>
    <message>
        <location filename="../../gui/insight/timeline.py" line="148"/>
        <source>changed</source>
        <translation>已改變</translation>
    </message>
    <message>
        <location filename="../../gui/insight/timeline.py" line="148"/>
        <source>unchanged</source>
        <translation>未改變</translation>
    </message>
</context>
<context>
    <name>TokenView</name>
    <message>
        <location filename="../../gui/widgets/token_view.py" line="72"/>
        <source>Type English or 中文 here…</source>
        <translation>在這裡輸入英文或中文…</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/token_view.py" line="125"/>
        <source>Train a tokenizer first.</source>
        <translation>請先訓練分詞器。</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/token_view.py" line="133"/>
        <source>{0} characters → {1} tokens ({2} characters per token)</source>
        <translation>{0} 個字元 → {1} 個 token（每個 token {2} 個字元）</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/token_view.py" line="138"/>
        <source>{0} characters → {1} tokens</source>
        <translation>{0} 個字元 → {1} 個 token</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/token_view.py" line="154"/>
        <source>token {0}</source>
        <translation>token {0}</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/token_view.py" line="162"/>
        <source>“{0}”: one character, {1} tokens (bytes {2})</source>
        <translation>「{0}」：1 個字元，{1} 個 token（位元組 {2}）</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/token_view.py" line="164"/>
        <source>“{0}”: {1} characters, {2} tokens (bytes {3})</source>
        <translation>「{0}」：{1} 個字元，{2} 個 token（位元組 {3}）</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/token_view.py" line="181"/>
        <source>… and {0} more split characters</source>
        <translation>…還有 {0} 個被拆開的字元</translation>
    </message>
</context>
<context>
    <name>TokenizerPage</name>
    <message>
        <location filename="../../gui/pages/tokenizer.py" line="26"/>
        <source>Tokenizer</source>
        <translation>分詞器</translation>
    </message>
    <message>
        <location filename="../../gui/pages/tokenizer.py" line="28"/>
        <source>A tokenizer cuts text into the pieces the model reads. Byte-level BPE starts from single bytes and merges the most frequent pairs until the vocabulary is full, so any text, Chinese or emoji too, can be written with it.</source>
        <translation>分詞器把文字切成模型讀取的小片段，稱為 token（詞元）。位元組層級的 BPE 從單一位元組開始，反覆合併最常出現的相鄰配對，直到詞彙表填滿為止；因此任何文字，包括中文和表情符號，都能用它表示。</translation>
    </message>
    <message>
        <location filename="../../gui/pages/tokenizer.py" line="36"/>
        <source>Settings</source>
        <translation>設定</translation>
    </message>
    <message>
        <location filename="../../gui/pages/tokenizer.py" line="37"/>
        <source>Vocabulary size</source>
        <translation>詞彙表大小</translation>
    </message>
    <message>
        <location filename="../../gui/pages/tokenizer.py" line="37"/>
        <source>Validation share</source>
        <translation>驗證集比例</translation>
    </message>
    <message>
        <location filename="../../gui/pages/tokenizer.py" line="39"/>
        <source>Train tokenizer</source>
        <translation>訓練分詞器</translation>
    </message>
    <message>
        <location filename="../../gui/pages/tokenizer.py" line="41"/>
        <location filename="../../gui/pages/tokenizer.py" line="93"/>
        <source>Not trained yet.</source>
        <translation>尚未訓練。</translation>
    </message>
    <message>
        <location filename="../../gui/pages/tokenizer.py" line="49"/>
        <source>Try it: type text and see its tokens</source>
        <translation>試試看：輸入文字，看看它會被切成哪些 token</translation>
    </message>
    <message>
        <location filename="../../gui/pages/tokenizer.py" line="75"/>
        <source>{n} run(s) were trained with the current tokenizer. A new tokenizer means new runs cannot start from them; they keep answering with their own (kept in the workspace). Replace it?</source>
        <translation>有 {n} 個執行是用目前的分詞器訓練的。換成新的分詞器後，新的執行就無法從它們開始；它們仍會用自己的分詞器回答（保存在工作區中）。要取代嗎？</translation>
    </message>
    <message>
        <location filename="../../gui/pages/tokenizer.py" line="79"/>
        <source>Replace the tokenizer?</source>
        <translation>要取代分詞器嗎？</translation>
    </message>
    <message>
        <location filename="../../gui/pages/tokenizer.py" line="101"/>
        <source>{0} tokens in the vocabulary; the corpus is not tokenized yet.</source>
        <translation>詞彙表共有 {0} 個 token；語料尚未分詞。</translation>
    </message>
    <message>
        <location filename="../../gui/pages/tokenizer.py" line="107"/>
        <source>Vocabulary: {0} tokens. Corpus: {1:,} training + {2:,} validation tokens ({3} + {4} documents).</source>
        <translation>詞彙表：{0} 個 token。語料：訓練 {1:,} + 驗證 {2:,} 個 token（{3} + {4} 份文件）。</translation>
    </message>
    <message>
        <location filename="../../gui/pages/tokenizer.py" line="115"/>
        <source>Chinese/Japanese/Korean</source>
        <translation>中日韓文字</translation>
    </message>
    <message>
        <location filename="../../gui/pages/tokenizer.py" line="115"/>
        <source>Latin script</source>
        <translation>拉丁字母</translation>
    </message>
    <message>
        <location filename="../../gui/pages/tokenizer.py" line="117"/>
        <source>{0}: {1} characters per token</source>
        <translation>{0}：每個 token {1} 個字元</translation>
    </message>
</context>
</TS>
