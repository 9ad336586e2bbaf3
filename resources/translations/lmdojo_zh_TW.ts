<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_TW">
<context>
    <name>AnswerView</name>
    <message>
        <location filename="../../gui/widgets/answer_view.py" line="44"/>
        <source>✓ Good</source>
        <translation>✓ 好</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/answer_view.py" line="45"/>
        <source>Thumb up: a good answer</source>
        <translation>讚：好回答</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/answer_view.py" line="48"/>
        <source>✗ Bad</source>
        <translation>✗ 不好</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/answer_view.py" line="49"/>
        <source>Thumb down: a bad answer</source>
        <translation>倒讚：不好的回答</translation>
    </message>
</context>
<context>
    <name>ClusterExportDialog</name>
    <message>
        <location filename="../../gui/widgets/cluster_dialog.py" line="19"/>
        <source>Export {0} for a cluster</source>
        <translation>匯出 {0} 到叢集</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/cluster_dialog.py" line="26"/>
        <source>Where the workspace will live on the cluster (a filesystem every node reads).</source>
        <translation>工作區在叢集上的位置（每個節點都讀得到的檔案系統）。</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/cluster_dialog.py" line="28"/>
        <source>Choose…</source>
        <translation>選擇…</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/cluster_dialog.py" line="37"/>
        <source>Machines (nodes)</source>
        <translation>機器（節點）數</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/cluster_dialog.py" line="38"/>
        <source>GPUs per machine</source>
        <translation>每台機器的 GPU 數</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/cluster_dialog.py" line="39"/>
        <source>Workspace on the cluster</source>
        <translation>叢集上的工作區</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/cluster_dialog.py" line="40"/>
        <source>Slurm time limit (hours)</source>
        <translation>Slurm 時間上限（小時）</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/cluster_dialog.py" line="41"/>
        <source>Write to folder</source>
        <translation>寫入資料夾</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/cluster_dialog.py" line="50"/>
        <source>Copy command</source>
        <translation>複製指令</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/cluster_dialog.py" line="55"/>
        <source>Export</source>
        <translation>匯出</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/cluster_dialog.py" line="61"/>
        <source>Writes the run&apos;s config (run.toml), launch.sh (torchrun), slurm.sbatch and a README into a folder. Copy the workspace and that folder to the cluster and start launch.sh or sbatch slurm.sbatch: the same config trains there on every GPU.</source>
        <translation>把這次訓練的設定（run.toml）、launch.sh（torchrun）、slurm.sbatch 和說明檔寫進一個資料夾。把工作區和這個資料夾複製到叢集，執行 launch.sh 或 sbatch slurm.sbatch：同一份設定就會在每張 GPU 上訓練。</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/cluster_dialog.py" line="71"/>
        <source>Folder for the cluster files</source>
        <translation>叢集檔案的資料夾</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/cluster_dialog.py" line="80"/>
        <source>Not exported: {0}</source>
        <translation>未匯出：{0}</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/cluster_dialog.py" line="82"/>
        <source>Wrote {0} to {1}. Start it on the cluster with:</source>
        <translation>已將 {0} 寫入 {1}。在叢集上用這個指令啟動：</translation>
    </message>
</context>
<context>
    <name>ComparePage</name>
    <message>
        <location filename="../../gui/pages/compare.py" line="42"/>
        <source>Compare</source>
        <translation>比較</translation>
    </message>
    <message>
        <location filename="../../gui/pages/compare.py" line="43"/>
        <source>The same prompt answered by checkpoints of every stage, side by side. Rank the answers: each judgement is saved at once to the preference store, where the reward model and DPO learn from it.</source>
        <translation>同一個提示由各階段的檢查點並排回答。替回答排名：每個判斷都會立即存入偏好資料庫，獎勵模型和 DPO 會從中學習。</translation>
    </message>
    <message>
        <location filename="../../gui/pages/compare.py" line="62"/>
        <source>Type a prompt, or pick one from the list…</source>
        <translation>輸入提示，或從清單中挑選…</translation>
    </message>
    <message>
        <location filename="../../gui/pages/compare.py" line="67"/>
        <source>Load prompts…</source>
        <translation>載入提示…</translation>
    </message>
    <message>
        <location filename="../../gui/pages/compare.py" line="85"/>
        <source>Answers</source>
        <translation>回答數</translation>
    </message>
    <message>
        <location filename="../../gui/pages/compare.py" line="94"/>
        <source>Decoding settings of this column only</source>
        <translation>只用於這一欄的解碼設定</translation>
    </message>
    <message>
        <location filename="../../gui/pages/compare.py" line="100"/>
        <source>Blind</source>
        <translation>盲測</translation>
    </message>
    <message>
        <location filename="../../gui/pages/compare.py" line="102"/>
        <source>Shuffle the answers and hide which run wrote which until you have ranked them</source>
        <translation>打亂回答順序，並在你排名之前隱藏每個回答來自哪個執行</translation>
    </message>
    <message>
        <location filename="../../gui/pages/compare.py" line="103"/>
        <source>Generate</source>
        <translation>生成</translation>
    </message>
    <message>
        <location filename="../../gui/pages/compare.py" line="105"/>
        <source>Ctrl+Enter</source>
        <translation>Ctrl+Enter</translation>
    </message>
    <message>
        <location filename="../../gui/pages/compare.py" line="107"/>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <location filename="../../gui/pages/compare.py" line="133"/>
        <source>Tie (T)</source>
        <translation>平手 (T)</translation>
    </message>
    <message>
        <location filename="../../gui/pages/compare.py" line="142"/>
        <source>Drag to order, best on the left; or press 1–4 in order of preference</source>
        <translation>拖曳排序，最好的放左邊；或依偏好順序按 1–4</translation>
    </message>
    <message>
        <location filename="../../gui/pages/compare.py" line="144"/>
        <source>Save ranking</source>
        <translation>儲存排名</translation>
    </message>
    <message>
        <location filename="../../gui/pages/compare.py" line="148"/>
        <source>Next prompt (Space)</source>
        <translation>下一個提示（空白鍵）</translation>
    </message>
    <message>
        <location filename="../../gui/pages/compare.py" line="169"/>
        <source>Decoding</source>
        <translation>解碼</translation>
    </message>
    <message>
        <location filename="../../gui/pages/compare.py" line="170"/>
        <source>Queue</source>
        <translation>佇列</translation>
    </message>
    <message>
        <location filename="../../gui/pages/compare.py" line="171"/>
        <source>Leaderboard</source>
        <translation>排行榜</translation>
    </message>
    <message>
        <location filename="../../gui/pages/compare.py" line="172"/>
        <source>Token shift</source>
        <translation>詞元偏移</translation>
    </message>
    <message>
        <location filename="../../gui/pages/compare.py" line="214"/>
        <source>from {0}</source>
        <translation>來自 {0}</translation>
    </message>
    <message>
        <location filename="../../gui/pages/compare.py" line="251"/>
        <source>— {0} prompts —</source>
        <translation>— {0} 個提示 —</translation>
    </message>
    <message>
        <location filename="../../gui/pages/compare.py" line="261"/>
        <source>Load prompts</source>
        <translation>載入提示</translation>
    </message>
    <message>
        <location filename="../../gui/pages/compare.py" line="262"/>
        <source>Prompts (*.txt *.jsonl *.json *.parquet)</source>
        <translation>提示檔 (*.txt *.jsonl *.json *.parquet)</translation>
    </message>
    <message>
        <location filename="../../gui/pages/compare.py" line="284"/>
        <source>Decoding of column {0}</source>
        <translation>第 {0} 欄的解碼</translation>
    </message>
    <message>
        <location filename="../../gui/pages/compare.py" line="288"/>
        <source>Use the shared settings</source>
        <translation>使用共用設定</translation>
    </message>
    <message>
        <location filename="../../gui/pages/compare.py" line="301"/>
        <source>Greedy</source>
        <translation>貪婪解碼</translation>
    </message>
    <message>
        <location filename="../../gui/pages/compare.py" line="301"/>
        <source>Temperature</source>
        <translation>溫度</translation>
    </message>
    <message>
        <location filename="../../gui/pages/compare.py" line="301"/>
        <source>Top-k</source>
        <translation>Top-k</translation>
    </message>
    <message>
        <location filename="../../gui/pages/compare.py" line="302"/>
        <source>Top-p</source>
        <translation>Top-p</translation>
    </message>
    <message>
        <location filename="../../gui/pages/compare.py" line="302"/>
        <source>Repetition penalty</source>
        <translation>重複懲罰</translation>
    </message>
    <message>
        <location filename="../../gui/pages/compare.py" line="303"/>
        <source>End-of-turn bias</source>
        <translation>回合結束偏置</translation>
    </message>
    <message>
        <location filename="../../gui/pages/compare.py" line="303"/>
        <source>Max new tokens</source>
        <translation>最多新詞元</translation>
    </message>
    <message>
        <location filename="../../gui/pages/compare.py" line="304"/>
        <source>Seed</source>
        <translation>種子</translation>
    </message>
    <message>
        <location filename="../../gui/pages/compare.py" line="332"/>
        <source>Type a prompt and pick a run for every column.</source>
        <translation>請輸入提示，並為每一欄選擇一個執行。</translation>
    </message>
    <message>
        <location filename="../../gui/pages/compare.py" line="345"/>
        <source>Generating…</source>
        <translation>生成中…</translation>
    </message>
    <message>
        <location filename="../../gui/pages/compare.py" line="355"/>
        <source>Answer {0}</source>
        <translation>回答 {0}</translation>
    </message>
    <message>
        <location filename="../../gui/pages/compare.py" line="360"/>
        <source>{0} is better ({1})</source>
        <translation>{0} 較好 ({1})</translation>
    </message>
    <message>
        <location filename="../../gui/pages/compare.py" line="375"/>
        <source>{0} tokens</source>
        <translation>{0} 個詞元</translation>
    </message>
    <message>
        <location filename="../../gui/pages/compare.py" line="377"/>
        <source> (stopped)</source>
        <translation>（已停止）</translation>
    </message>
    <message>
        <location filename="../../gui/pages/compare.py" line="378"/>
        <source>Answers saved{0}. Rank them: press 1–{1} from best to worst, or drag and save; T for a tie of two.</source>
        <translation>回答已儲存{0}。請排名：從最好到最差按 1–{1}，或拖曳後儲存；兩個回答平手按 T。</translation>
    </message>
    <message>
        <location filename="../../gui/pages/compare.py" line="426"/>
        <source>tie: {0} = {1}</source>
        <translation>平手：{0} = {1}</translation>
    </message>
    <message>
        <location filename="../../gui/pages/compare.py" line="428"/>
        <source>Saved judgement #{0}: {1}. Ctrl+Z undoes it.</source>
        <translation>已儲存判斷 #{0}：{1}。按 Ctrl+Z 可復原。</translation>
    </message>
    <message>
        <location filename="../../gui/pages/compare.py" line="439"/>
        <source>Saved thumb {0} for {1} (#{2}). Ctrl+Z undoes it.</source>
        <translation>已為 {1} 儲存 {0}（#{2}）。按 Ctrl+Z 可復原。</translation>
    </message>
    <message>
        <location filename="../../gui/pages/compare.py" line="440"/>
        <source>up</source>
        <translation>讚</translation>
    </message>
    <message>
        <location filename="../../gui/pages/compare.py" line="440"/>
        <source>down</source>
        <translation>倒讚</translation>
    </message>
    <message>
        <location filename="../../gui/pages/compare.py" line="455"/>
        <source>Judgement #{0} undone.</source>
        <translation>判斷 #{0} 已復原。</translation>
    </message>
    <message>
        <location filename="../../gui/pages/compare.py" line="464"/>
        <source>The queue is finished.</source>
        <translation>佇列已完成。</translation>
    </message>
</context>
<context>
    <name>DataPage</name>
    <message>
        <location filename="../../gui/pages/data.py" line="26"/>
        <source>Data</source>
        <translation>資料</translation>
    </message>
    <message>
        <location filename="../../gui/pages/data.py" line="27"/>
        <source>Raw text is dirty: markup, duplicates, spam, pages of one repeated character. Cleaning keeps what is worth learning from, and says why it dropped the rest.</source>
        <translation>原始文字很髒：標記語言、重複內容、垃圾訊息、整頁同一個字元。清理會留下值得學習的部分，並說明其餘被丟棄的原因。</translation>
    </message>
    <message>
        <location filename="../../gui/pages/data.py" line="34"/>
        <source>Add files…</source>
        <translation>加入檔案…</translation>
    </message>
    <message>
        <location filename="../../gui/pages/data.py" line="35"/>
        <source>Add folder…</source>
        <translation>加入資料夾…</translation>
    </message>
    <message>
        <location filename="../../gui/pages/data.py" line="36"/>
        <source>Remove</source>
        <translation>移除</translation>
    </message>
    <message>
        <location filename="../../gui/pages/data.py" line="40"/>
        <source>Sources</source>
        <translation>來源</translation>
    </message>
    <message>
        <location filename="../../gui/pages/data.py" line="49"/>
        <source>Steps</source>
        <translation>步驟</translation>
    </message>
    <message>
        <location filename="../../gui/pages/data.py" line="51"/>
        <source>Heuristic rules</source>
        <translation>啟發式規則</translation>
    </message>
    <message>
        <location filename="../../gui/pages/data.py" line="57"/>
        <source>Exact duplicates</source>
        <translation>完全重複</translation>
    </message>
    <message>
        <location filename="../../gui/pages/data.py" line="58"/>
        <source>Near duplicates (MinHash)</source>
        <translation>近似重複（MinHash）</translation>
    </message>
    <message>
        <location filename="../../gui/pages/data.py" line="62"/>
        <source>Quality model</source>
        <translation>品質模型</translation>
    </message>
    <message>
        <location filename="../../gui/pages/data.py" line="66"/>
        <source>Shortest document (characters)</source>
        <translation>最短文件（字元）</translation>
    </message>
    <message>
        <location filename="../../gui/pages/data.py" line="67"/>
        <source>Longest run of one character (share)</source>
        <translation>單一字元最長連續（比例）</translation>
    </message>
    <message>
        <location filename="../../gui/pages/data.py" line="70"/>
        <source>Similarity threshold</source>
        <translation>相似度門檻</translation>
    </message>
    <message>
        <location filename="../../gui/pages/data.py" line="72"/>
        <source>Worker processes</source>
        <translation>工作行程數</translation>
    </message>
    <message>
        <location filename="../../gui/pages/data.py" line="73"/>
        <source>Preview rules on a sample</source>
        <translation>在樣本上預覽規則</translation>
    </message>
    <message>
        <location filename="../../gui/pages/data.py" line="74"/>
        <source>What these rules would drop among the first {0} documents</source>
        <translation>這些規則會在前 {0} 份文件中丟棄哪些</translation>
    </message>
    <message>
        <location filename="../../gui/pages/data.py" line="79"/>
        <source>Clean</source>
        <translation>清理</translation>
    </message>
    <message>
        <location filename="../../gui/pages/data.py" line="93"/>
        <source>Step</source>
        <translation>步驟</translation>
    </message>
    <message>
        <location filename="../../gui/pages/data.py" line="93"/>
        <source>Reason</source>
        <translation>原因</translation>
    </message>
    <message>
        <location filename="../../gui/pages/data.py" line="93"/>
        <source>Documents</source>
        <translation>文件數</translation>
    </message>
    <message>
        <location filename="../../gui/pages/data.py" line="107"/>
        <source>&lt;b&gt;Funnel&lt;/b&gt;: documents left after each step</source>
        <translation>&lt;b&gt;漏斗&lt;/b&gt;：每個步驟後剩下的文件</translation>
    </message>
    <message>
        <location filename="../../gui/pages/data.py" line="149"/>
        <source>Add text files</source>
        <translation>加入文字檔</translation>
    </message>
    <message>
        <location filename="../../gui/pages/data.py" line="150"/>
        <source>Text (*.txt *.md *.jsonl *.csv *.parquet);;All files (*)</source>
        <translation>文字 (*.txt *.md *.jsonl *.csv *.parquet);;所有檔案 (*)</translation>
    </message>
    <message>
        <location filename="../../gui/pages/data.py" line="154"/>
        <source>Add a folder of text</source>
        <translation>加入文字資料夾</translation>
    </message>
    <message>
        <location filename="../../gui/pages/data.py" line="178"/>
        <source>Previewing…</source>
        <translation>預覽中…</translation>
    </message>
    <message>
        <location filename="../../gui/pages/data.py" line="188"/>
        <source>These rules would drop {0} of {1} documents: {2}</source>
        <translation>這些規則會丟棄 {1} 份文件中的 {0} 份：{2}</translation>
    </message>
    <message>
        <location filename="../../gui/pages/data.py" line="222"/>
        <source>Output: {0} · {1} inputs skipped · {2} bad records · {3} s</source>
        <translation>輸出：{0} · 略過 {1} 個輸入 · {2} 筆壞紀錄 · {3} 秒</translation>
    </message>
    <message>
        <location filename="../../gui/pages/data.py" line="238"/>
        <source>No examples kept for this reason.</source>
        <translation>這個原因沒有保留範例。</translation>
    </message>
</context>
<context>
    <name>FunnelView</name>
    <message>
        <location filename="../../gui/widgets/funnel.py" line="38"/>
        <source>Run the cleaning to see the funnel.</source>
        <translation>執行清理後即可看到漏斗。</translation>
    </message>
</context>
<context>
    <name>JobPanel</name>
    <message>
        <location filename="../../gui/widgets/job_panel.py" line="30"/>
        <location filename="../../gui/widgets/job_panel.py" line="93"/>
        <source>Pause</source>
        <translation>暫停</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/job_panel.py" line="32"/>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/job_panel.py" line="34"/>
        <source>Stop after the current step and save a checkpoint</source>
        <translation>在目前這一步結束後停止，並儲存檢查點</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/job_panel.py" line="42"/>
        <source>Ready.</source>
        <translation>就緒。</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/job_panel.py" line="93"/>
        <source>Resume</source>
        <translation>繼續</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/job_panel.py" line="95"/>
        <source>Another job is running; one job at a time</source>
        <translation>另一個工作正在執行；一次只能執行一個工作</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/job_panel.py" line="106"/>
        <source>Starting…</source>
        <translation>啟動中…</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/job_panel.py" line="120"/>
        <source>{0:,} tokens · {1:,.0f} tokens/s · elapsed {2} · ETA {3}</source>
        <translation>{0:,} 個 token · 每秒 {1:,.0f} 個 token · 已經過 {2} · 預計剩餘 {3}</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/job_panel.py" line="136"/>
        <source>Done.</source>
        <translation>完成。</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/job_panel.py" line="136"/>
        <source>Stopped; a checkpoint was saved.</source>
        <translation>已停止；檢查點已儲存。</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/job_panel.py" line="146"/>
        <source>Failed.</source>
        <translation>失敗。</translation>
    </message>
</context>
<context>
    <name>JobRunner</name>
    <message>
        <location filename="../../gui/jobs.py" line="171"/>
        <source>checkpoint saved: {0}</source>
        <translation>已儲存檢查點：{0}</translation>
    </message>
</context>
<context>
    <name>LabsPage</name>
    <message>
        <location filename="../../gui/pages/labs.py" line="23"/>
        <source>Labs</source>
        <translation>實驗室</translation>
    </message>
    <message>
        <location filename="../../gui/pages/labs.py" line="24"/>
        <source>Famous results about how language models are made, reproduced at toy scale on this machine. Each lab trains what it needs in a scratch folder and writes a report with plots into the workspace&apos;s labs folder.</source>
        <translation>語言模型如何煉成的經典結果，在這台電腦上以迷你規模重現。每個實驗在暫存資料夾裡訓練所需的模型，並把附圖的報告寫進工作區的 labs 資料夾。</translation>
    </message>
    <message>
        <location filename="../../gui/pages/labs.py" line="28"/>
        <source>Compute-optimal sizing (Chinchilla)</source>
        <translation>算力最佳的模型大小（Chinchilla）</translation>
    </message>
    <message>
        <location filename="../../gui/pages/labs.py" line="29"/>
        <source>For a fixed compute budget, is a big model trained briefly better than a small one trained long? The lab trains several sizes at equal FLOPs (6 × parameters × tokens) and plots loss against size for each budget: the bottom of each curve is the best size for that budget. Hoffmann et al. (2022) found about 20 training tokens per parameter at the optimum.</source>
        <translation>算力固定時，短時間訓練的大模型比長時間訓練的小模型好嗎？這個實驗以相同的 FLOPs（6 × 參數 × token）訓練幾種大小的模型，並為每個預算畫出損失對模型大小的曲線：曲線的最低點就是該預算下最好的大小。Hoffmann 等人（2022）發現最佳點大約是每個參數 20 個訓練 token。</translation>
    </message>
    <message>
        <location filename="../../gui/pages/labs.py" line="33"/>
        <source>Knowledge extraction</source>
        <translation>知識提取</translation>
    </message>
    <message>
        <location filename="../../gui/pages/labs.py" line="34"/>
        <source>Can a model answer questions about people it only read about in pretraining? The lab pretrains once on one biography per person and once on several paraphrased versions, fine-tunes both on questions about half of the people and asks about the other half. Allen-Zhu and Li found near 0% with one version and high accuracy with many.</source>
        <translation>模型能回答只在預訓練裡讀過的人物問題嗎？這個實驗預訓練兩次：一次每人只有一篇傳記，一次有好幾種改寫版本；兩者都用一半人物的問答微調，再問另一半人物。Allen-Zhu 與 Li 發現只有一個版本時準確率接近 0%，版本多時則很高。</translation>
    </message>
    <message>
        <location filename="../../gui/pages/labs.py" line="38"/>
        <source>What fine-tuning data teaches</source>
        <translation>微調資料教了什麼</translation>
    </message>
    <message>
        <location filename="../../gui/pages/labs.py" line="39"/>
        <source>Sorts question–answer examples by how well the base model already knows them (highly, maybe, weakly, unknown), fine-tunes on each group and compares held-out accuracy. Gekhman et al. (2024) found &apos;maybe known&apos; examples help most and unknown facts teach guessing.</source>
        <translation>依基礎模型對問答範例的熟悉程度（很熟、可能知道、略知、不知道）分組，分別微調並比較保留題目的準確率。Gekhman 等人（2024）發現「可能知道」的範例幫助最大，而不知道的事實會教模型亂猜。</translation>
    </message>
    <message>
        <location filename="../../gui/pages/labs.py" line="42"/>
        <source>Calibration</source>
        <translation>校準</translation>
    </message>
    <message>
        <location filename="../../gui/pages/labs.py" line="43"/>
        <source>Does the model&apos;s confidence match how often it is right? For base, fine-tuned and aligned models the lab plots accuracy against the probability of the answer (a reliability diagram: a calibrated model lies on the diagonal) and reports the expected calibration error.</source>
        <translation>模型的信心和它答對的頻率一致嗎？這個實驗為基礎、微調後和對齊後的模型畫出準確率對答案機率的圖（可靠度圖：校準良好的模型落在對角線上），並報告期望校準誤差（ECE）。</translation>
    </message>
    <message>
        <location filename="../../gui/pages/labs.py" line="47"/>
        <source>Loss spikes and bad data</source>
        <translation>損失尖峰與壞資料</translation>
    </message>
    <message>
        <location filename="../../gui/pages/labs.py" line="48"/>
        <source>Slips a slice of junk pages into a pretraining run, shows the spike on the loss curve, points at the documents in the spiking batches, and trains again on cleaned data.</source>
        <translation>在預訓練資料裡混入一段垃圾網頁，顯示損失曲線上的尖峰，指出造成尖峰的批次裡有哪些文件，再用清理過的資料重新訓練。</translation>
    </message>
    <message>
        <location filename="../../gui/pages/labs.py" line="50"/>
        <source>Decoding without training</source>
        <translation>不訓練，只靠解碼</translation>
    </message>
    <message>
        <location filename="../../gui/pages/labs.py" line="51"/>
        <source>How far do decoding tricks alone take a base model? A higher end-of-turn probability and a repetition penalty, judged side by side against the fine-tuned model (Lin et al. 2023 found such tricks win a share of comparisons).</source>
        <translation>只靠解碼技巧，基礎模型能走多遠？提高回合結束的機率並懲罰重複，再和微調後的模型並排評比（Lin 等人 2023 發現這類技巧能贏下一部分比較）。</translation>
    </message>
    <message>
        <location filename="../../gui/pages/labs.py" line="63"/>
        <source>Quick settings (smallest)</source>
        <translation>快速設定（最小）</translation>
    </message>
    <message>
        <location filename="../../gui/pages/labs.py" line="64"/>
        <source>The settings the tests use: a run of seconds, for trying the lab out.</source>
        <translation>測試用的設定：幾秒就跑完，用來試試這個實驗。</translation>
    </message>
    <message>
        <location filename="../../gui/pages/labs.py" line="66"/>
        <source>Run lab</source>
        <translation>執行實驗</translation>
    </message>
    <message>
        <location filename="../../gui/pages/labs.py" line="77"/>
        <source>{0} (not built yet)</source>
        <translation>{0}（尚未完成）</translation>
    </message>
    <message>
        <location filename="../../gui/pages/labs.py" line="99"/>
        <source>Report:</source>
        <translation>報告：</translation>
    </message>
    <message>
        <location filename="../../gui/pages/labs.py" line="185"/>
        <source>No report yet: run the lab.</source>
        <translation>還沒有報告：請執行實驗。</translation>
    </message>
</context>
<context>
    <name>LeaderboardTab</name>
    <message>
        <location filename="../../gui/pages/compare_tabs.py" line="125"/>
        <source>Scores from every ranking and pair between answers of different runs (Bradley–Terry, on the Elo scale: +100 ≈ wins 64% against the other); the interval comes from resampling the judgements. Few judgements, wide intervals.</source>
        <translation>分數來自不同執行的回答之間的所有排名與兩兩比較（Bradley–Terry，以 Elo 尺度表示：+100 ≈ 對另一方勝率 64%）；區間由重抽判斷而來。判斷越少，區間越寬。</translation>
    </message>
    <message>
        <location filename="../../gui/pages/compare_tabs.py" line="129"/>
        <source>Run</source>
        <translation>執行</translation>
    </message>
    <message>
        <location filename="../../gui/pages/compare_tabs.py" line="129"/>
        <source>Elo</source>
        <translation>Elo</translation>
    </message>
    <message>
        <location filename="../../gui/pages/compare_tabs.py" line="129"/>
        <source>95% interval</source>
        <translation>95% 區間</translation>
    </message>
    <message>
        <location filename="../../gui/pages/compare_tabs.py" line="129"/>
        <source>Win rate</source>
        <translation>勝率</translation>
    </message>
    <message>
        <location filename="../../gui/pages/compare_tabs.py" line="129"/>
        <source>Games</source>
        <translation>對局數</translation>
    </message>
    <message>
        <location filename="../../gui/pages/compare_tabs.py" line="130"/>
        <source>Judgements</source>
        <translation>判斷數</translation>
    </message>
    <message>
        <location filename="../../gui/pages/compare_tabs.py" line="160"/>
        <source>{0} judgements, {1} pairs between runs.</source>
        <translation>{0} 個判斷，執行之間 {1} 組配對。</translation>
    </message>
</context>
<context>
    <name>LossPlot</name>
    <message>
        <location filename="../../gui/widgets/loss_plot.py" line="108"/>
        <source>Log x</source>
        <translation>對數 x 軸</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/loss_plot.py" line="109"/>
        <source>Logarithmic step axis: early and late training side by side</source>
        <translation>對數步數軸：訓練初期與後期並列呈現</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/loss_plot.py" line="114"/>
        <source>How much the training loss curve is smoothed (0 = raw)</source>
        <translation>訓練損失曲線的平滑程度（0 = 原始值）</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/loss_plot.py" line="116"/>
        <source>The series shown in the lower graph</source>
        <translation>下方圖表顯示的資料序列</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/loss_plot.py" line="119"/>
        <source>Reset view</source>
        <translation>重設檢視</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/loss_plot.py" line="120"/>
        <source>Export PNG…</source>
        <translation>匯出 PNG…</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/loss_plot.py" line="121"/>
        <source>Export CSV…</source>
        <translation>匯出 CSV…</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/loss_plot.py" line="124"/>
        <source>Smoothing</source>
        <translation>平滑</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/loss_plot.py" line="124"/>
        <source>Lower graph</source>
        <translation>下方圖表</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/loss_plot.py" line="136"/>
        <source>loss</source>
        <translation>損失</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/loss_plot.py" line="137"/>
        <source>step</source>
        <translation>步數</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/loss_plot.py" line="139"/>
        <source>train</source>
        <translation>訓練</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/loss_plot.py" line="140"/>
        <source>train (smoothed)</source>
        <translation>訓練（平滑）</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/loss_plot.py" line="141"/>
        <source>validation</source>
        <translation>驗證</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/loss_plot.py" line="158"/>
        <source>Export graph as PNG</source>
        <translation>將圖表匯出為 PNG</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/loss_plot.py" line="159"/>
        <source>PNG images (*.png)</source>
        <translation>PNG 圖片 (*.png)</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/loss_plot.py" line="160"/>
        <source>Export data as CSV</source>
        <translation>將資料匯出為 CSV</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/loss_plot.py" line="161"/>
        <source>CSV files (*.csv)</source>
        <translation>CSV 檔案 (*.csv)</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../gui/main_window.py" line="92"/>
        <source>&amp;File</source>
        <translation>檔案(&amp;F)</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="93"/>
        <source>&amp;Start screen</source>
        <translation>開始畫面(&amp;S)</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="94"/>
        <source>&amp;Open workspace…</source>
        <translation>開啟工作區(&amp;O)…</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="95"/>
        <source>Se&amp;ttings…</source>
        <translation>設定(&amp;T)…</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="97"/>
        <source>&amp;Quit</source>
        <translation>結束(&amp;Q)</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="98"/>
        <source>&amp;Help</source>
        <translation>說明(&amp;H)</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="99"/>
        <source>&amp;About LM Dojo…</source>
        <translation>關於 LM Dojo(&amp;A)…</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="170"/>
        <source>Next: {0} →</source>
        <translation>下一步：{0} →</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="179"/>
        <source>not started</source>
        <translation>尚未開始</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="179"/>
        <source>running</source>
        <translation>執行中</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="179"/>
        <source>done</source>
        <translation>已完成</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="180"/>
        <source>failed</source>
        <translation>失敗</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="180"/>
        <source>interrupted</source>
        <translation>已中斷</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="185"/>
        <source>The tokenizer reads the cleaned corpus (data/clean), or data/corpus before cleaning.</source>
        <translation>分詞器讀取清理後的語料（data/clean）；清理前則讀取 data/corpus。</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="187"/>
        <source>Pretraining needs a trained tokenizer: train it on this page first.</source>
        <translation>預訓練需要訓練好的分詞器：請先在這一頁訓練分詞器。</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="189"/>
        <source>SFT starts from a pretrained model: pretrain first.</source>
        <translation>SFT 從預訓練好的模型開始：請先預訓練。</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="190"/>
        <source>Ready for {0}.</source>
        <translation>已準備好進入「{0}」。</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="199"/>
        <source>About LM Dojo</source>
        <translation>關於 LM Dojo</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="202"/>
        <source>Version {0}</source>
        <translation>版本 {0}</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="203"/>
        <source>Train a small GPT-style language model through every stage — data, pretraining, SFT, RLHF — on your own machine.</source>
        <translation>在你自己的電腦上，走過每個階段（資料、預訓練、SFT、RLHF），訓練一個小型 GPT 式語言模型。</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="205"/>
        <source>Released under the MIT license.</source>
        <translation>以 MIT 授權條款釋出。</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="223"/>
        <source>A job is running. Stop it, save a checkpoint and quit?</source>
        <translation>有工作正在執行。要停止工作、儲存檢查點並結束嗎？</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="226"/>
        <source>Stopping the job and saving a checkpoint…</source>
        <translation>正在停止工作並儲存檢查點…</translation>
    </message>
</context>
<context>
    <name>PretrainPage</name>
    <message>
        <location filename="../../gui/pages/pretrain.py" line="42"/>
        <source>Pretraining</source>
        <translation>預訓練</translation>
    </message>
    <message>
        <location filename="../../gui/pages/pretrain.py" line="43"/>
        <source>The model reads the corpus and learns to predict the next token, over and over. This is where it learns the language and the facts of its world.</source>
        <translation>模型一遍又一遍地閱讀語料，學習預測下一個 token。它就是在這個階段學會語言，以及它所處世界的種種事實。</translation>
    </message>
    <message>
        <location filename="../../gui/pages/pretrain.py" line="46"/>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <location filename="../../gui/pages/pretrain.py" line="47"/>
        <source>Budget</source>
        <translation>預算</translation>
    </message>
    <message>
        <location filename="../../gui/pages/pretrain.py" line="48"/>
        <source>Training</source>
        <translation>訓練</translation>
    </message>
    <message>
        <location filename="../../gui/pages/pretrain.py" line="51"/>
        <source>Size preset</source>
        <translation>規模預設</translation>
    </message>
    <message>
        <location filename="../../gui/pages/pretrain.py" line="51"/>
        <source>Layers</source>
        <translation>層數</translation>
    </message>
    <message>
        <location filename="../../gui/pages/pretrain.py" line="51"/>
        <source>Attention heads</source>
        <translation>注意力頭數</translation>
    </message>
    <message>
        <location filename="../../gui/pages/pretrain.py" line="52"/>
        <source>Width</source>
        <translation>寬度</translation>
    </message>
    <message>
        <location filename="../../gui/pages/pretrain.py" line="52"/>
        <source>Context (tokens)</source>
        <translation>上下文長度（token）</translation>
    </message>
    <message>
        <location filename="../../gui/pages/pretrain.py" line="52"/>
        <source>Experts (MoE)</source>
        <translation>專家數（MoE）</translation>
    </message>
    <message>
        <location filename="../../gui/pages/pretrain.py" line="53"/>
        <source>Minutes</source>
        <translation>分鐘數</translation>
    </message>
    <message>
        <location filename="../../gui/pages/pretrain.py" line="53"/>
        <source>Steps</source>
        <translation>步數</translation>
    </message>
    <message>
        <location filename="../../gui/pages/pretrain.py" line="53"/>
        <source>Batch size</source>
        <translation>批次大小</translation>
    </message>
    <message>
        <location filename="../../gui/pages/pretrain.py" line="54"/>
        <source>Learning rate</source>
        <translation>學習率</translation>
    </message>
    <message>
        <location filename="../../gui/pages/pretrain.py" line="54"/>
        <source>Warm-up steps</source>
        <translation>暖身步數</translation>
    </message>
    <message>
        <location filename="../../gui/pages/pretrain.py" line="55"/>
        <source>Validate every</source>
        <translation>驗證間隔</translation>
    </message>
    <message>
        <location filename="../../gui/pages/pretrain.py" line="55"/>
        <source>Sample every</source>
        <translation>取樣間隔</translation>
    </message>
    <message>
        <location filename="../../gui/pages/pretrain.py" line="56"/>
        <source>Checkpoint every</source>
        <translation>檢查點間隔</translation>
    </message>
    <message>
        <location filename="../../gui/pages/pretrain.py" line="56"/>
        <source>Seed</source>
        <translation>隨機種子</translation>
    </message>
    <message>
        <location filename="../../gui/pages/pretrain.py" line="63"/>
        <source>Measure speed</source>
        <translation>測量速度</translation>
    </message>
    <message>
        <location filename="../../gui/pages/pretrain.py" line="64"/>
        <source>Time a few training steps of this model on this machine</source>
        <translation>在這台電腦上實際跑幾個訓練步，測量此模型的速度</translation>
    </message>
    <message>
        <location filename="../../gui/pages/pretrain.py" line="66"/>
        <source>Start pretraining</source>
        <translation>開始預訓練</translation>
    </message>
    <message>
        <location filename="../../gui/pages/pretrain.py" line="79"/>
        <source>Samples</source>
        <translation>生成樣本</translation>
    </message>
    <message>
        <location filename="../../gui/pages/pretrain.py" line="80"/>
        <source>Log</source>
        <translation>記錄</translation>
    </message>
    <message>
        <location filename="../../gui/pages/pretrain.py" line="84"/>
        <source>Runs</source>
        <translation>歷次執行</translation>
    </message>
    <message>
        <location filename="../../gui/pages/pretrain.py" line="107"/>
        <source>Open a workspace first.</source>
        <translation>請先開啟工作區。</translation>
    </message>
    <message>
        <location filename="../../gui/pages/pretrain.py" line="129"/>
        <source>Measuring…</source>
        <translation>測量中…</translation>
    </message>
    <message>
        <location filename="../../gui/pages/pretrain.py" line="196"/>
        <source>Train the tokenizer first: the model&apos;s size depends on its vocabulary.</source>
        <translation>請先訓練分詞器：模型的大小取決於它的詞彙表。</translation>
    </message>
    <message>
        <location filename="../../gui/pages/pretrain.py" line="200"/>
        <source>{0}/s measured</source>
        <translation>實測每秒 {0}</translation>
    </message>
    <message>
        <location filename="../../gui/pages/pretrain.py" line="200"/>
        <source>speed not measured yet</source>
        <translation>尚未測量速度</translation>
    </message>
    <message>
        <location filename="../../gui/pages/pretrain.py" line="202"/>
        <source>Estimate: {0} parameters · {1} tokens · {2} FLOPs · {3} ({4})</source>
        <translation>估計：{0} 個參數 · {1} 個 token · {2} FLOPs · {3}（{4}）</translation>
    </message>
</context>
<context>
    <name>QueueTab</name>
    <message>
        <location filename="../../gui/pages/compare_tabs.py" line="28"/>
        <source>A queue takes the prompt list and the runs chosen above. Space goes to the next prompt; every ranking moves the queue on, and it remembers where you stopped.</source>
        <translation>佇列使用提示清單和上方選擇的執行。按空白鍵前往下一個提示；每次排名都會推進佇列，並記住你停在哪裡。</translation>
    </message>
    <message>
        <location filename="../../gui/pages/compare_tabs.py" line="34"/>
        <source>Answers per run and prompt (each with its own seed)</source>
        <translation>每個執行對每個提示的回答數（各有自己的種子）</translation>
    </message>
    <message>
        <location filename="../../gui/pages/compare_tabs.py" line="35"/>
        <source>New queue from the prompt list</source>
        <translation>用提示清單建立新佇列</translation>
    </message>
    <message>
        <location filename="../../gui/pages/compare_tabs.py" line="40"/>
        <source>Resume</source>
        <translation>繼續</translation>
    </message>
    <message>
        <location filename="../../gui/pages/compare_tabs.py" line="43"/>
        <source>Leave the queue</source>
        <translation>離開佇列</translation>
    </message>
    <message>
        <location filename="../../gui/pages/compare_tabs.py" line="47"/>
        <source>%v / %m prompts</source>
        <translation>%v / %m 個提示</translation>
    </message>
    <message>
        <location filename="../../gui/pages/compare_tabs.py" line="49"/>
        <source>Answers per run</source>
        <translation>每個執行的回答數</translation>
    </message>
    <message>
        <location filename="../../gui/pages/compare_tabs.py" line="69"/>
        <source>{0} — {1} / {2}</source>
        <translation>{0} — {1} / {2}</translation>
    </message>
    <message>
        <location filename="../../gui/pages/compare_tabs.py" line="104"/>
        <source>Queue {0}: prompt {1} of {2}. Space generates it.</source>
        <translation>佇列 {0}：第 {1} 個提示，共 {2} 個。按空白鍵生成。</translation>
    </message>
</context>
<context>
    <name>RLHFPage</name>
    <message>
        <location filename="../../gui/pages/rlhf.py" line="35"/>
        <source>RLHF</source>
        <translation>RLHF</translation>
    </message>
    <message>
        <location filename="../../gui/pages/rlhf.py" line="36"/>
        <source>People say which answer is better; the model learns to give such answers. DPO learns from the pairs directly; a reward model learns to imitate the judges; GRPO lets the model answer and a judge score it.</source>
        <translation>人們判斷哪個回答比較好，模型學著給出那樣的回答。DPO 直接從成對資料學習；獎勵模型學著模仿評審；GRPO 讓模型作答，再由評審打分。</translation>
    </message>
    <message>
        <location filename="../../gui/pages/rlhf.py" line="43"/>
        <source>Import JSONL…</source>
        <translation>匯入 JSONL…</translation>
    </message>
    <message>
        <location filename="../../gui/pages/rlhf.py" line="44"/>
        <source>Export JSONL…</source>
        <translation>匯出 JSONL…</translation>
    </message>
    <message>
        <location filename="../../gui/pages/rlhf.py" line="45"/>
        <source>Add the demo preferences</source>
        <translation>加入示範偏好資料</translation>
    </message>
    <message>
        <location filename="../../gui/pages/rlhf.py" line="49"/>
        <source>Sample answers to rank</source>
        <translation>取樣回答以供排序</translation>
    </message>
    <message>
        <location filename="../../gui/pages/rlhf.py" line="50"/>
        <source>The latest SFT run answers the demo&apos;s held-out prompts 4 times each; the answers wait in the store to be ranked</source>
        <translation>最新的 SFT 執行對示範的保留提示各回答 4 次；這些回答存入資料庫，等待排序</translation>
    </message>
    <message>
        <location filename="../../gui/pages/rlhf.py" line="53"/>
        <source>Preferences</source>
        <translation>偏好資料</translation>
    </message>
    <message>
        <location filename="../../gui/pages/rlhf.py" line="66"/>
        <source>DPO: learn from the pairs</source>
        <translation>DPO：從成對資料學習</translation>
    </message>
    <message>
        <location filename="../../gui/pages/rlhf.py" line="67"/>
        <source>Reward model: learn to judge</source>
        <translation>獎勵模型：學著評分</translation>
    </message>
    <message>
        <location filename="../../gui/pages/rlhf.py" line="68"/>
        <source>GRPO: answer, get judged, improve</source>
        <translation>GRPO：作答、被評分、改進</translation>
    </message>
    <message>
        <location filename="../../gui/pages/rlhf.py" line="69"/>
        <source>KTO: learn from thumbs up / down</source>
        <translation>KTO：從讚／倒讚學習</translation>
    </message>
    <message>
        <location filename="../../gui/pages/rlhf.py" line="71"/>
        <source>Start from run</source>
        <translation>起始執行</translation>
    </message>
    <message>
        <location filename="../../gui/pages/rlhf.py" line="71"/>
        <source>Steps</source>
        <translation>步數</translation>
    </message>
    <message>
        <location filename="../../gui/pages/rlhf.py" line="71"/>
        <source>Minutes</source>
        <translation>分鐘數</translation>
    </message>
    <message>
        <location filename="../../gui/pages/rlhf.py" line="72"/>
        <source>Batch size</source>
        <translation>批次大小</translation>
    </message>
    <message>
        <location filename="../../gui/pages/rlhf.py" line="72"/>
        <source>Learning rate</source>
        <translation>學習率</translation>
    </message>
    <message>
        <location filename="../../gui/pages/rlhf.py" line="73"/>
        <source>Validate every</source>
        <translation>驗證間隔</translation>
    </message>
    <message>
        <location filename="../../gui/pages/rlhf.py" line="104"/>
        <source>Method</source>
        <translation>方法</translation>
    </message>
    <message>
        <location filename="../../gui/pages/rlhf.py" line="77"/>
        <location filename="../../gui/pages/rlhf.py" line="82"/>
        <location filename="../../gui/pages/rlhf.py" line="87"/>
        <location filename="../../gui/pages/rlhf.py" line="92"/>
        <source>Budget</source>
        <translation>預算</translation>
    </message>
    <message>
        <location filename="../../gui/pages/rlhf.py" line="76"/>
        <location filename="../../gui/pages/rlhf.py" line="81"/>
        <location filename="../../gui/pages/rlhf.py" line="86"/>
        <location filename="../../gui/pages/rlhf.py" line="91"/>
        <source>Settings</source>
        <translation>設定</translation>
    </message>
    <message>
        <location filename="../../gui/pages/rlhf.py" line="78"/>
        <location filename="../../gui/pages/rlhf.py" line="83"/>
        <location filename="../../gui/pages/rlhf.py" line="88"/>
        <location filename="../../gui/pages/rlhf.py" line="93"/>
        <source>Training</source>
        <translation>訓練</translation>
    </message>
    <message>
        <location filename="../../gui/pages/rlhf.py" line="79"/>
        <location filename="../../gui/pages/rlhf.py" line="84"/>
        <location filename="../../gui/pages/rlhf.py" line="89"/>
        <source>Pairs file</source>
        <translation>成對資料檔</translation>
    </message>
    <message>
        <location filename="../../gui/pages/rlhf.py" line="79"/>
        <location filename="../../gui/pages/rlhf.py" line="89"/>
        <source>Beta (β)</source>
        <translation>Beta（β）</translation>
    </message>
    <message>
        <location filename="../../gui/pages/rlhf.py" line="94"/>
        <location filename="../../gui/pages/rlhf.py" line="114"/>
        <source>Judge</source>
        <translation>評審</translation>
    </message>
    <message>
        <location filename="../../gui/pages/rlhf.py" line="94"/>
        <source>Answers per prompt</source>
        <translation>每個提示的回答數</translation>
    </message>
    <message>
        <location filename="../../gui/pages/rlhf.py" line="95"/>
        <source>Temperature</source>
        <translation>溫度</translation>
    </message>
    <message>
        <location filename="../../gui/pages/rlhf.py" line="95"/>
        <source>KL weight (β)</source>
        <translation>KL 權重（β）</translation>
    </message>
    <message>
        <location filename="../../gui/pages/rlhf.py" line="109"/>
        <source>Start</source>
        <translation>開始</translation>
    </message>
    <message>
        <location filename="../../gui/pages/rlhf.py" line="114"/>
        <source>#</source>
        <translation>#</translation>
    </message>
    <message>
        <location filename="../../gui/pages/rlhf.py" line="114"/>
        <source>Kind</source>
        <translation>類型</translation>
    </message>
    <message>
        <location filename="../../gui/pages/rlhf.py" line="114"/>
        <source>Prompt</source>
        <translation>提示</translation>
    </message>
    <message>
        <location filename="../../gui/pages/rlhf.py" line="123"/>
        <source>Judgements</source>
        <translation>評判</translation>
    </message>
    <message>
        <location filename="../../gui/pages/rlhf.py" line="124"/>
        <source>Runs</source>
        <translation>歷次執行</translation>
    </message>
    <message>
        <location filename="../../gui/pages/rlhf.py" line="125"/>
        <source>Log</source>
        <translation>記錄</translation>
    </message>
    <message>
        <location filename="../../gui/pages/rlhf.py" line="151"/>
        <source>Open a workspace first.</source>
        <translation>請先開啟工作區。</translation>
    </message>
    <message>
        <location filename="../../gui/pages/rlhf.py" line="197"/>
        <source>Export preference pairs</source>
        <translation>匯出偏好資料</translation>
    </message>
    <message>
        <location filename="../../gui/pages/rlhf.py" line="197"/>
        <source>Import preference pairs</source>
        <translation>匯入偏好資料</translation>
    </message>
    <message>
        <location filename="../../gui/pages/rlhf.py" line="198"/>
        <source>JSON Lines (*.jsonl)</source>
        <translation>JSON Lines（*.jsonl）</translation>
    </message>
    <message>
        <location filename="../../gui/pages/rlhf.py" line="219"/>
        <source>Imported {0} pairs ({1} already there, {2} lines skipped).</source>
        <translation>已匯入 {0} 組（{1} 組已存在，略過 {2} 行）。</translation>
    </message>
    <message>
        <location filename="../../gui/pages/rlhf.py" line="225"/>
        <source>Exported {0} pairs to {1}.</source>
        <translation>已匯出 {0} 組到 {1}。</translation>
    </message>
    <message>
        <location filename="../../gui/pages/rlhf.py" line="231"/>
        <source>Imported {0} demo pairs ({1} already there).</source>
        <translation>已匯入 {0} 組示範資料（{1} 組已存在）。</translation>
    </message>
    <message>
        <location filename="../../gui/pages/rlhf.py" line="245"/>
        <source>{0} answers from {1} stored, ready to rank.</source>
        <translation>已儲存來自 {1} 的 {0} 個回答，可以開始排序。</translation>
    </message>
    <message>
        <location filename="../../gui/pages/rlhf.py" line="255"/>
        <source>No workspace.</source>
        <translation>沒有工作區。</translation>
    </message>
    <message>
        <location filename="../../gui/pages/rlhf.py" line="265"/>
        <source>{0} prompts, {1} answers; {2} rankings, {3} pairs, {4} thumbs → {5} training pairs.</source>
        <translation>{0} 個提示、{1} 個回答；{2} 個排序、{3} 組比較、{4} 個讚／倒讚 → {5} 組訓練資料。</translation>
    </message>
    <message>
        <location filename="../../gui/pages/rlhf.py" line="268"/>
        <source>ranking</source>
        <translation>排序</translation>
    </message>
    <message>
        <location filename="../../gui/pages/rlhf.py" line="268"/>
        <source>pair</source>
        <translation>比較</translation>
    </message>
    <message>
        <location filename="../../gui/pages/rlhf.py" line="268"/>
        <source>thumb</source>
        <translation>讚／倒讚</translation>
    </message>
</context>
<context>
    <name>RunsTable</name>
    <message>
        <location filename="../../gui/widgets/runs_table.py" line="24"/>
        <source>Run</source>
        <translation>執行</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/runs_table.py" line="24"/>
        <source>Status</source>
        <translation>狀態</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/runs_table.py" line="24"/>
        <source>Steps</source>
        <translation>步數</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/runs_table.py" line="25"/>
        <source>Val loss</source>
        <translation>驗證損失</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/runs_table.py" line="25"/>
        <source>Started from</source>
        <translation>起點</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/runs_table.py" line="32"/>
        <source>Resume selected run</source>
        <translation>繼續所選的執行</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/runs_table.py" line="34"/>
        <source>Overlay on graph</source>
        <translation>疊加到圖表</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/runs_table.py" line="37"/>
        <source>Export for a cluster…</source>
        <translation>匯出到叢集…</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/runs_table.py" line="38"/>
        <source>Write this run&apos;s config and the torchrun / Slurm commands that train it on many GPUs.</source>
        <translation>寫出這次訓練的設定，以及在多張 GPU 上訓練它的 torchrun／Slurm 指令。</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/runs_table.py" line="86"/>
        <source>scratch</source>
        <translation>從頭開始</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/runs_table.py" line="88"/>
        <source>{0} @ step {1}</source>
        <translation>{0} 第 {1} 步</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/runs_table.py" line="91"/>
        <source>done</source>
        <translation>已完成</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/runs_table.py" line="91"/>
        <source>running</source>
        <translation>執行中</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/runs_table.py" line="91"/>
        <source>interrupted</source>
        <translation>已中斷</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/runs_table.py" line="92"/>
        <source>stopped</source>
        <translation>已停止</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/runs_table.py" line="92"/>
        <source>failed</source>
        <translation>失敗</translation>
    </message>
</context>
<context>
    <name>SFTPage</name>
    <message>
        <location filename="../../gui/pages/sft.py" line="31"/>
        <source>SFT</source>
        <translation>SFT</translation>
    </message>
    <message>
        <location filename="../../gui/pages/sft.py" line="32"/>
        <source>Supervised fine-tuning: the pretrained model reads questions and good answers in the chat template, learning to answer and when to stop. Only the answers&apos; tokens (highlighted below) carry the loss.</source>
        <translation>監督式微調：預訓練好的模型以對話範本閱讀問題與好的回答，學會如何回答以及何時停止。只有回答的 token（下方標示處）計算損失。</translation>
    </message>
    <message>
        <location filename="../../gui/pages/sft.py" line="36"/>
        <source>Data</source>
        <translation>資料</translation>
    </message>
    <message>
        <location filename="../../gui/pages/sft.py" line="37"/>
        <source>Method</source>
        <translation>方法</translation>
    </message>
    <message>
        <location filename="../../gui/pages/sft.py" line="38"/>
        <source>Budget</source>
        <translation>預算</translation>
    </message>
    <message>
        <location filename="../../gui/pages/sft.py" line="39"/>
        <source>Training</source>
        <translation>訓練</translation>
    </message>
    <message>
        <location filename="../../gui/pages/sft.py" line="41"/>
        <source>Start from run</source>
        <translation>起始執行</translation>
    </message>
    <message>
        <location filename="../../gui/pages/sft.py" line="41"/>
        <source>Data file</source>
        <translation>資料檔</translation>
    </message>
    <message>
        <location filename="../../gui/pages/sft.py" line="41"/>
        <source>Examples</source>
        <translation>範例</translation>
    </message>
    <message>
        <location filename="../../gui/pages/sft.py" line="42"/>
        <source>How many</source>
        <translation>數量</translation>
    </message>
    <message>
        <location filename="../../gui/pages/sft.py" line="42"/>
        <source>Loss on</source>
        <translation>損失計算於</translation>
    </message>
    <message>
        <location filename="../../gui/pages/sft.py" line="42"/>
        <source>LoRA</source>
        <translation>LoRA</translation>
    </message>
    <message>
        <location filename="../../gui/pages/sft.py" line="43"/>
        <source>LoRA rank</source>
        <translation>LoRA 秩</translation>
    </message>
    <message>
        <location filename="../../gui/pages/sft.py" line="43"/>
        <source>LoRA alpha</source>
        <translation>LoRA alpha</translation>
    </message>
    <message>
        <location filename="../../gui/pages/sft.py" line="43"/>
        <source>Steps</source>
        <translation>步數</translation>
    </message>
    <message>
        <location filename="../../gui/pages/sft.py" line="44"/>
        <source>Minutes</source>
        <translation>分鐘數</translation>
    </message>
    <message>
        <location filename="../../gui/pages/sft.py" line="44"/>
        <source>Batch size</source>
        <translation>批次大小</translation>
    </message>
    <message>
        <location filename="../../gui/pages/sft.py" line="44"/>
        <source>Learning rate</source>
        <translation>學習率</translation>
    </message>
    <message>
        <location filename="../../gui/pages/sft.py" line="45"/>
        <source>Validate every</source>
        <translation>驗證間隔</translation>
    </message>
    <message>
        <location filename="../../gui/pages/sft.py" line="45"/>
        <source>Answer prompts every</source>
        <translation>回答提示間隔</translation>
    </message>
    <message>
        <location filename="../../gui/pages/sft.py" line="46"/>
        <source>Evaluation prompts</source>
        <translation>評估提示數</translation>
    </message>
    <message>
        <location filename="../../gui/pages/sft.py" line="50"/>
        <source>Start fine-tuning</source>
        <translation>開始微調</translation>
    </message>
    <message>
        <location filename="../../gui/pages/sft.py" line="62"/>
        <source>Step</source>
        <translation>步數</translation>
    </message>
    <message>
        <location filename="../../gui/pages/sft.py" line="62"/>
        <source>Prompt</source>
        <translation>提示</translation>
    </message>
    <message>
        <location filename="../../gui/pages/sft.py" line="62"/>
        <source>Answer</source>
        <translation>回答</translation>
    </message>
    <message>
        <location filename="../../gui/pages/sft.py" line="66"/>
        <source>Answers to evaluation prompts</source>
        <translation>評估提示的回答</translation>
    </message>
    <message>
        <location filename="../../gui/pages/sft.py" line="67"/>
        <source>Template preview</source>
        <translation>範本預覽</translation>
    </message>
    <message>
        <location filename="../../gui/pages/sft.py" line="68"/>
        <source>Log</source>
        <translation>記錄</translation>
    </message>
    <message>
        <location filename="../../gui/pages/sft.py" line="72"/>
        <source>Runs</source>
        <translation>歷次執行</translation>
    </message>
    <message>
        <location filename="../../gui/pages/sft.py" line="83"/>
        <source>Open a workspace first.</source>
        <translation>請先開啟工作區。</translation>
    </message>
    <message>
        <location filename="../../gui/pages/sft.py" line="130"/>
        <source>Train the tokenizer and pretrain first.</source>
        <translation>請先訓練分詞器並完成預訓練。</translation>
    </message>
</context>
<context>
    <name>SamplesView</name>
    <message>
        <location filename="../../gui/widgets/samples.py" line="16"/>
        <source>Samples appear here while the model trains.</source>
        <translation>模型訓練期間，生成的樣本會顯示在這裡。</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/samples.py" line="31"/>
        <source>step</source>
        <translation>步數</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <location filename="../../gui/settings_dialog.py" line="30"/>
        <source>Settings</source>
        <translation>設定</translation>
    </message>
    <message>
        <location filename="../../gui/settings_dialog.py" line="35"/>
        <source>auto (best available: {0})</source>
        <translation>自動（最佳可用裝置：{0}）</translation>
    </message>
    <message>
        <location filename="../../gui/settings_dialog.py" line="41"/>
        <source>automatic</source>
        <translation>自動</translation>
    </message>
    <message>
        <location filename="../../gui/settings_dialog.py" line="48"/>
        <source>Light</source>
        <translation>淺色</translation>
    </message>
    <message>
        <location filename="../../gui/settings_dialog.py" line="49"/>
        <source>Dark</source>
        <translation>深色</translation>
    </message>
    <message>
        <location filename="../../gui/settings_dialog.py" line="51"/>
        <source>Device</source>
        <translation>裝置</translation>
    </message>
    <message>
        <location filename="../../gui/settings_dialog.py" line="52"/>
        <source>CPU threads</source>
        <translation>CPU 執行緒</translation>
    </message>
    <message>
        <location filename="../../gui/settings_dialog.py" line="53"/>
        <source>Language</source>
        <translation>語言</translation>
    </message>
    <message>
        <location filename="../../gui/settings_dialog.py" line="54"/>
        <source>Theme</source>
        <translation>主題</translation>
    </message>
    <message>
        <location filename="../../gui/settings_dialog.py" line="55"/>
        <source>Language changes take effect when LM Dojo is restarted.</source>
        <translation>變更語言後，需重新啟動 LM Dojo 才會生效。</translation>
    </message>
</context>
<context>
    <name>ShiftTab</name>
    <message>
        <location filename="../../gui/pages/compare_tabs.py" line="171"/>
        <source>The aligned model answers; at each of its tokens the base model is asked what it would have said. Unshifted: the base model&apos;s first choice too; marginal: its second or third; shifted (red): alignment put it there. Hover a token for the base model&apos;s top choices.</source>
        <translation>對齊後的模型作答；在它的每個詞元上，詢問基礎模型原本會說什麼。未偏移：也是基礎模型的第一選擇；邊際：它的第二或第三選擇；偏移（紅色）：是對齊讓它出現在那裡。將滑鼠移到詞元上可看到基礎模型的首選。</translation>
    </message>
    <message>
        <location filename="../../gui/pages/compare_tabs.py" line="180"/>
        <source>Analyse the prompt list</source>
        <translation>分析提示清單</translation>
    </message>
    <message>
        <location filename="../../gui/pages/compare_tabs.py" line="189"/>
        <source>Base</source>
        <translation>基礎</translation>
    </message>
    <message>
        <location filename="../../gui/pages/compare_tabs.py" line="191"/>
        <source>Aligned</source>
        <translation>對齊後</translation>
    </message>
    <message>
        <location filename="../../gui/pages/compare_tabs.py" line="225"/>
        <source>Analysing {0} prompts…</source>
        <translation>正在分析 {0} 個提示…</translation>
    </message>
    <message>
        <location filename="../../gui/pages/compare_tabs.py" line="237"/>
        <source>Unshifted {0:.0%} · marginal {1:.0%} · shifted {2:.0%} of {3} tokens. Most shifted: {4}</source>
        <translation>{3} 個詞元中：未偏移 {0:.0%} · 邊際 {1:.0%} · 偏移 {2:.0%}。最常偏移：{4}</translation>
    </message>
</context>
<context>
    <name>StartPage</name>
    <message>
        <location filename="../../gui/pages/start.py" line="35"/>
        <source>Train a small language model through every stage that chat models go through: data, tokenizer, pretraining, fine-tuning and RLHF — on this computer.</source>
        <translation>訓練一個小型語言模型，走過聊天模型經歷的每一個階段：資料、分詞器、預訓練、微調與 RLHF——全部在這台電腦上完成。</translation>
    </message>
    <message>
        <location filename="../../gui/pages/start.py" line="38"/>
        <source>New workspace with the demo world…</source>
        <translation>以示範世界建立工作區…</translation>
    </message>
    <message>
        <location filename="../../gui/pages/start.py" line="40"/>
        <source>A generated bilingual world of fictional people: ready to train</source>
        <translation>自動產生、由虛構人物組成的雙語世界：可以直接開始訓練</translation>
    </message>
    <message>
        <location filename="../../gui/pages/start.py" line="41"/>
        <source>New empty workspace…</source>
        <translation>建立空白工作區…</translation>
    </message>
    <message>
        <location filename="../../gui/pages/start.py" line="42"/>
        <source>Open workspace…</source>
        <translation>開啟工作區…</translation>
    </message>
    <message>
        <location filename="../../gui/pages/start.py" line="60"/>
        <source>Recent workspaces (double-click to open):</source>
        <translation>最近使用的工作區（按兩下開啟）：</translation>
    </message>
    <message>
        <location filename="../../gui/pages/start.py" line="86"/>
        <source>Choose a folder for the new workspace</source>
        <translation>選擇新工作區的資料夾</translation>
    </message>
    <message>
        <location filename="../../gui/pages/start.py" line="92"/>
        <source>Open a workspace folder</source>
        <translation>開啟工作區資料夾</translation>
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
        <location filename="../../gui/widgets/token_view.py" line="132"/>
        <source>{0} characters → {1} tokens ({2} characters per token)</source>
        <translation>{0} 個字元 → {1} 個 token（每個 token {2} 個字元）</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/token_view.py" line="135"/>
        <source>{0} characters → {1} tokens</source>
        <translation>{0} 個字元 → {1} 個 token</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/token_view.py" line="151"/>
        <source>token {0}</source>
        <translation>token {0}</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/token_view.py" line="159"/>
        <source>“{0}”: one character, {1} tokens (bytes {2})</source>
        <translation>「{0}」：1 個字元，{1} 個 token（位元組 {2}）</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/token_view.py" line="161"/>
        <source>“{0}”: {1} characters, {2} tokens (bytes {3})</source>
        <translation>「{0}」：{1} 個字元，{2} 個 token（位元組 {3}）</translation>
    </message>
    <message>
        <location filename="../../gui/widgets/token_view.py" line="174"/>
        <source>… and {0} more split characters</source>
        <translation>…還有 {0} 個被拆開的字元</translation>
    </message>
</context>
<context>
    <name>TokenizerPage</name>
    <message>
        <location filename="../../gui/pages/tokenizer.py" line="24"/>
        <source>Tokenizer</source>
        <translation>分詞器</translation>
    </message>
    <message>
        <location filename="../../gui/pages/tokenizer.py" line="25"/>
        <source>A tokenizer cuts text into the pieces the model reads. Byte-level BPE starts from single bytes and merges the most frequent pairs until the vocabulary is full, so any text, Chinese or emoji too, can be written with it.</source>
        <translation>分詞器把文字切成模型讀取的小片段，也就是詞元（token）。位元組層級的 BPE 從單一位元組開始，反覆合併最常出現的相鄰配對，直到詞彙表填滿為止；因此任何文字，包括中文和表情符號，都能用它表示。</translation>
    </message>
    <message>
        <location filename="../../gui/pages/tokenizer.py" line="28"/>
        <source>Settings</source>
        <translation>設定</translation>
    </message>
    <message>
        <location filename="../../gui/pages/tokenizer.py" line="29"/>
        <source>Vocabulary size</source>
        <translation>詞彙表大小</translation>
    </message>
    <message>
        <location filename="../../gui/pages/tokenizer.py" line="30"/>
        <source>Validation share</source>
        <translation>驗證集比例</translation>
    </message>
    <message>
        <location filename="../../gui/pages/tokenizer.py" line="31"/>
        <source>Train tokenizer</source>
        <translation>訓練分詞器</translation>
    </message>
    <message>
        <location filename="../../gui/pages/tokenizer.py" line="33"/>
        <location filename="../../gui/pages/tokenizer.py" line="71"/>
        <source>Not trained yet.</source>
        <translation>尚未訓練。</translation>
    </message>
    <message>
        <location filename="../../gui/pages/tokenizer.py" line="41"/>
        <source>Try it: type text and see its tokens</source>
        <translation>試試看：輸入文字，看看它會被切成哪些 token</translation>
    </message>
    <message>
        <location filename="../../gui/pages/tokenizer.py" line="78"/>
        <source>{0} tokens in the vocabulary; the corpus is not tokenized yet.</source>
        <translation>詞彙表共有 {0} 個 token；語料尚未分詞。</translation>
    </message>
    <message>
        <location filename="../../gui/pages/tokenizer.py" line="82"/>
        <source>Vocabulary: {0} tokens. Corpus: {1:,} training + {2:,} validation tokens ({3} + {4} documents).</source>
        <translation>詞彙表：{0} 個 token。語料：訓練 {1:,} + 驗證 {2:,} 個 token（{3} + {4} 份文件）。</translation>
    </message>
    <message>
        <location filename="../../gui/pages/tokenizer.py" line="88"/>
        <source>Chinese/Japanese/Korean</source>
        <translation>中日韓文字</translation>
    </message>
    <message>
        <location filename="../../gui/pages/tokenizer.py" line="88"/>
        <source>Latin script</source>
        <translation>拉丁字母</translation>
    </message>
    <message>
        <location filename="../../gui/pages/tokenizer.py" line="89"/>
        <source>{0}: {1} characters per token</source>
        <translation>{0}：每個 token {1} 個字元</translation>
    </message>
</context>
</TS>
